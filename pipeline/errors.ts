/**
 * How the pipeline classifies failures: two roots, told apart with `instanceof`, decided where the
 * failure happens. Foreign errors (viem, the SDKs, BullMQ) are mapped once, at the boundary that
 * meets them.
 *
 * - **RetryableError** (and anything unclassified: a viem transport error, a reset connection) →
 *   BullMQ retries with exponential backoff and jitter until `JOB_ATTEMPTS` is used up. HTTP 5xx, 408,
 *   409, 425, timeouts, DNS failures, a chain node that has not seen the mint yet, a prediction that
 *   failed for a reason other than content policy (`PredictionFailedError`).
 *   - **RateLimitedError** (HTTP 429): the stage pauses its queue for the server's `Retry-After`
 *     and puts the job back without spending an attempt, up to a cap (see jobs/stage-failure.ts).
 * - **PermanentError** → no retry: the token goes to `failed` until an operator retries it. HTTP
 *   400/401/403/404/422 (bad credentials, bad input, unknown model), an invalid prompt, a download
 *   from a disallowed host, of the wrong type or over the size cap, a keeper without KEEPER_ROLE.
 *   - **ContentPolicyError**: the provider refused the prompt (Flux reports NSFW as a failed
 *     prediction). The generate stage regenerates once with `FALLBACK_PROMPT`, then gives up.
 *
 * `toJobError` is the boundary to BullMQ: a PermanentError becomes BullMQ's UnrecoverableError, and a
 * viem error becomes a plain Error with its secret-free description (BullMQ keeps the message and the
 * stack in Redis, and Bull Board shows them). Error text that is stored (the token's row and history,
 * BullMQ's failedReason and stack) first goes through the process's scrubber, so a provider that
 * echoes a credential back in its error body cannot put it in the database or Redis.
 */
import { UnrecoverableError } from "bullmq";

/** A failure worth retrying later. */
export class RetryableError extends Error {
  override name = "RetryableError";
}

/** A failure no retry can fix: an operator has to act. */
export class PermanentError extends Error {
  override name = "PermanentError";
}

/** The provider's job failed (not for content policy): the next attempt starts a new one. */
export class PredictionFailedError extends RetryableError {
  override name = "PredictionFailedError";
}

/** The provider answered 429; retry after `retryAfterMs` without spending an attempt. */
export class RateLimitedError extends RetryableError {
  override name = "RateLimitedError";
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** The provider refused the prompt or the output on content-policy grounds. */
export class ContentPolicyError extends PermanentError {
  override name = "ContentPolicyError";
}

/** Maps an HTTP status of a provider's API to its failure class. */
export function classifyStatus(status: number): "rate-limited" | "retryable" | "permanent" {
  if (status === 429) return "rate-limited";
  if (status >= 500 || status === 408 || status === 409 || status === 425) return "retryable";
  return "permanent";
}

export type HttpErrorParameters = { what: string; status: number; retryAfter?: string | null; detail?: string };

/** Converts an HTTP failure into the error its class calls for. */
export function httpError({ what, status, retryAfter = null, detail = "" }: HttpErrorParameters): Error {
  const message = `${what}: HTTP ${status}${detail ? ` ${detail.slice(0, 300)}` : ""}`;
  const kind = classifyStatus(status);
  if (kind === "rate-limited") return new RateLimitedError(message, parseRetryAfter(retryAfter));
  if (kind === "retryable") return new RetryableError(message);
  return new PermanentError(message);
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

/** True when no retry can help: our PermanentError, or BullMQ's UnrecoverableError from its side of the boundary. */
export const isPermanent = (error: unknown): boolean =>
  error instanceof PermanentError || error instanceof UnrecoverableError;

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

/** Removes every secret of the running configuration from a text (common/scrubber.ts). */
export type Scrub = (text: string) => string;

const keep: Scrub = (text) => text;

/**
 * The error to hand BullMQ: a PermanentError becomes an UnrecoverableError (BullMQ does not retry
 * it), a viem error a plain retryable Error with the secret-free description, and the message and
 * stack of every error pass through `scrub`.
 */
export function toJobError(error: unknown, scrub: Scrub = keep): Error {
  if (!(error instanceof Error)) return new Error(scrub(describeError(error)));
  const message = scrub(isViemError(error) ? describeError(error) : error.message);
  const stack = error.stack && scrub(isViemError(error) ? error.stack.replace(error.message, message) : error.stack);
  if (error instanceof PermanentError) return withStack(new UnrecoverableError(message), stack);
  if (isViemError(error)) return withStack(new Error(message), stack);
  if (message === error.message && stack === error.stack) return error;
  const copy = withStack(new Error(message), stack);
  copy.name = error.name;
  return copy;
}

function withStack<E extends Error>(error: E, stack: string | undefined): E {
  if (stack) error.stack = stack;
  return error;
}
