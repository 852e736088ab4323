/**
 * The one way to ask for a reveal round. Stages call it when a token becomes ready, the API on a
 * manual reveal, the process at start-up. The reveal processor decides what to send.
 */
import type { JobsOptions } from "bullmq";
import type { Context } from "../context";
import type { RevealJobData } from "../queues";

export type RequestRevealParameters = RevealJobData;

/** A failed round (RPC down, database busy) is retried; the next request starts a fresh one anyway. */
const ROUND_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: "exponential", delay: 2_000, jitter: 0.5 },
  removeOnComplete: { count: 1_000 },
  removeOnFail: { count: 1_000 },
};

/**
 * Enqueues a reveal round. Automatic requests collapse into one waiting job; one that arrives while
 * a round is active is kept and runs after it (`keepLastIfActive`), so a token that becomes ready
 * just as a round ends is never left without a round. Manual requests always get their own job.
 */
export async function requestReveal(ctx: Pick<Context, "queues">, data: RequestRevealParameters): Promise<void> {
  const dedupe = data.trigger === "manual" ? undefined : { id: "reveal-round", keepLastIfActive: true };
  await ctx.queues.reveal.add("reveal", data, { ...ROUND_OPTIONS, ...(dedupe ? { deduplication: dedupe } : {}) });
}

/**
 * Schedules a later round: when the oldest ready token's wait runs out (`timer`), or to look again at
 * fees or mint depth for tokens that were due already (`recheck`, which does not wait again). The job
 * id carries the due time, so the same schedule is added once.
 */
export async function scheduleReveal(
  ctx: Pick<Context, "queues">,
  p: { delayMs: number; reason: "timer" | "fees" | "depth" },
): Promise<void> {
  const delay = Math.max(0, Math.ceil(p.delayMs));
  const dueAt = Date.now() + delay;
  await ctx.queues.reveal.add(
    "reveal",
    { trigger: p.reason === "timer" ? "timer" : "recheck" },
    { ...ROUND_OPTIONS, delay, jobId: `reveal-${p.reason}-${dueAt}`, removeOnComplete: true, removeOnFail: true },
  );
}
