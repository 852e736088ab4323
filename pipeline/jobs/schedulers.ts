/**
 * The job schedulers of common/jobs.ts (SCHEDULER) and the single-flight settings that live in Redis
 * beside them. A Redis wipe removes them all; `ensureSchedulers` puts back whichever is missing (or
 * whose interval changed after a deploy). Workers call it when they start, and every replica's
 * recovery watchdog calls it on a timer (recovery/watchdog.ts).
 */
import type { JobsOptions } from "bullmq";
import { QUEUE, type QueueName, type RecoverJobData, type RevealJobData, SCHEDULER } from "../../common/jobs";
import type { Context } from "../context";

export type SchedulerSpec = { queue: QueueName; id: string; everyMs: number; data: object; opts: JobsOptions };

/** A reveal round every `everyMs` whatever else happens: a lost request or timer never strands ready tokens. */
export const revealSweep = (everyMs: number): SchedulerSpec => ({
  queue: QUEUE.reveal,
  id: SCHEDULER.revealSweep,
  everyMs,
  data: { trigger: "recover" } satisfies RevealJobData,
  opts: { removeOnComplete: true, removeOnFail: true },
});

/** One recovery pass every `everyMs` across all replicas. */
export const stageRecovery = (everyMs: number): SchedulerSpec => ({
  queue: QUEUE.recover,
  id: SCHEDULER.stageRecovery,
  everyMs,
  data: {} satisfies RecoverJobData,
  opts: { attempts: 1, removeOnComplete: true, removeOnFail: true },
});

/** Queues that run one job at a time across every replica: reveal rounds (invariant 5) and recovery passes. */
const SINGLE_FLIGHT: QueueName[] = [QUEUE.reveal, QUEUE.recover];

/** Sets the single-flight queues' global concurrency to 1. */
export async function ensureSingleFlight(ctx: Pick<Context, "queues">): Promise<void> {
  for (const name of SINGLE_FLIGHT) await ctx.queues[name].setGlobalConcurrency(1);
}

/** Creates each scheduler that Redis lost (or whose interval changed); returns the ids it wrote. */
export async function ensureSchedulers(
  ctx: Pick<Context, "queues">,
  specs: readonly SchedulerSpec[],
): Promise<string[]> {
  const missing: SchedulerSpec[] = [];
  for (const spec of specs) {
    const current = await ctx.queues[spec.queue].getJobScheduler(spec.id);
    // Upserting an unchanged scheduler would reschedule it: only a missing one (or a new interval) is written.
    if (!current || Number(current.every) !== spec.everyMs) missing.push(spec);
  }
  if (missing.length === 0) return [];
  // The wipe that removed a scheduler removed the single-flight settings too: they go back first.
  await ensureSingleFlight(ctx);
  for (const spec of missing) {
    await ctx.queues[spec.queue].upsertJobScheduler(
      spec.id,
      { every: spec.everyMs },
      { name: spec.queue, data: spec.data, opts: spec.opts },
    );
  }
  return missing.map((s) => s.id);
}
