/**
 * The one way to ask for a reveal round. Stages call it when a token becomes ready, the API on a
 * manual reveal, the process at start-up. The reveal processor decides what to send.
 */
import { createHash } from "node:crypto";
import type { JobsOptions } from "bullmq";
import type { RevealJobData } from "../../common/jobs";
import type { Context } from "../context";

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
 * fees or mint depth for tokens that were due already (`recheck`, which does not wait again). A
 * recheck of a manual reveal carries its `tokenIds`, so it reveals only those and leaves every other
 * ready token to the size and wait triggers. The job id carries the due time (and the ids), so the
 * same schedule is added once.
 */
export async function scheduleReveal(
  ctx: Pick<Context, "queues">,
  p: { delayMs: number; reason: "timer" | "fees" | "depth"; tokenIds?: readonly string[] },
): Promise<void> {
  const delay = Math.max(0, Math.ceil(p.delayMs));
  const dueAt = Date.now() + delay;
  const data: RevealJobData = p.reason === "timer" ? { trigger: "timer" } : { trigger: "recheck" };
  let jobId = `reveal-${p.reason}-${dueAt}`;
  if (p.reason !== "timer" && p.tokenIds) {
    data.tokenIds = [...p.tokenIds];
    // Two manual reveals rechecked in the same millisecond must not swallow each other's ids.
    jobId += `-${createHash("sha256").update(data.tokenIds.join(",")).digest("hex").slice(0, 16)}`;
  }
  await ctx.queues.reveal.add("reveal", data, {
    ...ROUND_OPTIONS,
    delay,
    jobId,
    removeOnComplete: true,
    removeOnFail: true,
  });
}
