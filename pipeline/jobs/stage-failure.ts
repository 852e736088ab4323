/**
 * What a stage does with an error, the same for generate and pin (classes in errors.ts):
 * rate limited → pause the stage's queue for Retry-After and put the job back unspent, at most
 * RATE_LIMIT_MAX_WAITS times per job (a provider that answers 429 forever, out of credit or
 * misconfigured, fails the token with that reason instead of holding it forever); permanent or last
 * attempt → the token goes to `failed` with the reason in its history; otherwise the error is
 * recorded on the token and BullMQ retries with backoff.
 */
import { type Job, type Queue, RateLimitError } from "bullmq";
import type { Context } from "../context";
import type { TokenStatus } from "../db/schema";
import { transition, updateForMint } from "../db/tokens";
import { describeError, isPermanent, PermanentError, RateLimitedError, toJobError } from "../errors";

export type StageFailureParameters = {
  ctx: Pick<Context, "db" | "config" | "scrub">;
  job: Job<{ chainId: number; tokenId: string; mintTxHash: string }>;
  queue: Queue;
  stage: "generate" | "pin";
  /** Statuses this stage may move to `failed` from. */
  from: readonly TokenStatus[];
  log: Context["logger"];
};

/** Records `error` as the stage's failure and returns the error BullMQ should see. */
export async function stageFailure(error: unknown, p: StageFailureParameters): Promise<Error> {
  const { job, log } = p;
  // Every start that neither succeeded nor failed was put back for a 429.
  const waits = job.attemptsStarted - job.attemptsMade - 1;
  if (error instanceof RateLimitedError && waits < p.ctx.config.RATE_LIMIT_MAX_WAITS) {
    log.warn({ retryAfterMs: error.retryAfterMs, waits }, `${p.stage} provider rate limited; pausing the queue`);
    await p.queue.rateLimit(error.retryAfterMs);
    return new RateLimitError();
  }
  const d = job.data;
  const attempt = job.attemptsMade + 1;
  const cause =
    error instanceof RateLimitedError
      ? new PermanentError(`rate limited by the provider ${waits + 1} times (RATE_LIMIT_MAX_WAITS): ${error.message}`)
      : error;
  const message = p.ctx.scrub(describeError(cause));
  const column = p.stage === "generate" ? "generate_error" : "pin_error";
  if (isPermanent(cause) || attempt >= (job.opts.attempts ?? 1)) {
    await transition(p.ctx.db, {
      chainId: d.chainId,
      tokenId: d.tokenId,
      mintTxHash: d.mintTxHash,
      from: p.from,
      to: "failed",
      stage: p.stage,
      attempt,
      jobId: job.id ?? null,
      reason: message,
      set: { [column]: message },
    });
    log.error({ err: message, attempt }, `${p.stage} failed for good`);
  } else {
    await updateForMint(p.ctx.db, { ...d, set: { [column]: message } });
    log.warn({ err: message, attempt }, `${p.stage} failed; BullMQ retries`);
  }
  return toJobError(cause, p.ctx.scrub);
}
