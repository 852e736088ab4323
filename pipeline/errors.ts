/**
 * How the stages classify failures. One split for every provider, decided where the failure happens:
 *
 * - **transient** → throw a plain Error (or `TransientError`): BullMQ retries with exponential backoff
 *   and jitter until `JOB_ATTEMPTS` is used up. HTTP 5xx, 408, timeouts, connection resets, DNS
 *   failures, a chain node that has not seen the mint yet, a prediction that failed for a reason other
 *   than content policy.
 * - **rate limited** → `RateLimitedError` (HTTP 429): the stage pauses the whole queue for the
 *   server's `Retry-After` (`queue.rateLimit`) and throws BullMQ's `RateLimitError`, which puts the job
 *   back without spending an attempt.
 * - **permanent** → BullMQ's `UnrecoverableError`: no retry, the token goes to `failed` until an
 *   operator retries it. HTTP 400/401/403/404/422 (bad credentials, bad input, unknown model), an
 *   invalid prompt, a second content-policy failure, a download from a disallowed host, of the wrong
 *   type or over the size cap.
 * - **content policy** → `ContentPolicyError`: the provider refused the prompt (Flux reports NSFW as a
 *   failed prediction). The generate stage regenerates once with `FALLBACK_PROMPT`, then gives up.
 */
import { UnrecoverableError } from "bullmq";

/** A failure worth retrying later. */
export class TransientError extends Error {
  override name = "TransientError";
}

/** The provider's job failed (not for content policy): the next attempt starts a new one. */
export class PredictionFailedError extends TransientError {
  override name = "PredictionFailedError";
}

/** The provider answered 429; retry after `retryAfterMs` without spending an attempt. */
export class RateLimitedError extends Error {
  override name = "RateLimitedError";
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** The provider refused the prompt or the output on content-policy grounds. */
export class ContentPolicyError extends Error {
  override name = "ContentPolicyError";
}

/** A permanent failure: BullMQ will not retry it. */
export const permanent = (message: string, cause?: unknown) => {
  const error = new UnrecoverableError(message);
  if (cause !== undefined) (error as Error & { cause?: unknown }).cause = cause;
  return error;
};

/** Maps an HTTP status of a provider's API to its failure class. */
export function classifyStatus(status: number): "rate-limited" | "transient" | "permanent" {
  if (status === 429) return "rate-limited";
  if (status >= 500 || status === 408 || status === 409 || status === 425) return "transient";
  return "permanent";
}

/** Converts an HTTP failure into the error its class calls for. */
export function httpError(what: string, status: number, retryAfter: string | null, detail = ""): Error {
  const message = `${what}: HTTP ${status}${detail ? ` ${detail.slice(0, 300)}` : ""}`;
  const kind = classifyStatus(status);
  if (kind === "rate-limited") return new RateLimitedError(message, parseRetryAfter(retryAfter));
  if (kind === "transient") return new TransientError(message);
  return permanent(message);
}

/** Milliseconds from a Retry-After header (seconds or an HTTP date); 10 s when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number {
  const fallback = 10_000;
  if (!value) return fallback;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.max(0, Math.ceil(Number(trimmed) * 1000));
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? fallback : Math.max(0, date - now);
}

/** True for BullMQ's UnrecoverableError (the job must not be retried). */
export const isPermanent = (error: unknown): boolean =>
  error instanceof UnrecoverableError || (error instanceof Error && error.name === "UnrecoverableError");

/**
 * A short, secret-free description of an error for the database and logs. viem's full message
 * carries the RPC URL (hosted RPCs put their API key in it) and the request body; its short message
 * and details say what failed without them.
 */
export const describeError = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error).slice(0, 1_000);
  const viem = error as Error & { shortMessage?: unknown; details?: unknown };
  if (isViemError(error)) {
    const details = typeof viem.details === "string" && viem.details ? ` (${viem.details})` : "";
    return `${error.name}: ${viem.shortMessage}${details}`.slice(0, 1_000);
  }
  return `${error.name}: ${error.message}`.slice(0, 1_000);
};

// viem's BaseError: a short message plus a walk() over its causes.
const isViemError = (error: unknown): boolean =>
  error instanceof Error &&
  typeof (error as { shortMessage?: unknown }).shortMessage === "string" &&
  typeof (error as { walk?: unknown }).walk === "function";

/**
 * The error to hand BullMQ, which keeps its message and stack in Redis (and Bull Board shows them):
 * a viem error becomes a plain, retryable Error with the secret-free description.
 */
export const forQueue = <E>(error: E): E | Error => (isViemError(error) ? new Error(describeError(error)) : error);
