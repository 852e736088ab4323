/** BullMQ worker settings every worker of the pipeline shares. */
import type { RateLimiterOptions, WorkerOptions } from "bullmq";
import type { Context } from "../context";

/**
 * Options for one worker: its own blocking connection, the queue prefix, and a lock of
 * WORKER_LOCK_DURATION_MS checked at half its duration, so a dead holder's job is taken over within
 * one lock period.
 */
export function workerOptions(
  ctx: Pick<Context, "config" | "workerConnection">,
  p: { concurrency: number; maxStalledCount: number; limiter?: RateLimiterOptions },
): WorkerOptions {
  return {
    ...(p.limiter ? { limiter: p.limiter } : {}),
    connection: ctx.workerConnection(),
    prefix: ctx.config.QUEUE_PREFIX,
    concurrency: p.concurrency,
    lockDuration: ctx.config.WORKER_LOCK_DURATION_MS,
    stalledInterval: Math.max(250, Math.floor(ctx.config.WORKER_LOCK_DURATION_MS / 2)),
    maxStalledCount: p.maxStalledCount,
  };
}
