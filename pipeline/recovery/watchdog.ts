/**
 * Every replica's watch over the job schedulers: they live in Redis, so a wipe (FLUSHALL, failover to
 * an empty replica, a restore) removes them, and nothing else would bring back the periodic recovery
 * pass or the reveal sweep until a restart. A local timer recreates whichever is missing, and since
 * a missing scheduler means the queues were wiped too, asks for a recovery pass at once and another
 * once every row the wipe orphaned has been quiet for two lock periods (recovery/processor.ts): the
 * lost work is back in seconds, not at the next periodic pass.
 */
import { QUEUE, type RecoverJobData } from "../../common/jobs";
import type { Context } from "../context";
import { ensureSchedulers, type SchedulerSpec } from "../jobs/schedulers";

/** The longest the watchdog waits before noticing a wiped scheduler (a cheap read per check). */
const MAX_WATCH_MS = 5_000;

export type SchedulerWatchdog = {
  /** Recreates the schedulers Redis lost; returns their ids. */
  check(): Promise<string[]>;
  close(): Promise<void>;
};

export type WatchdogParameters = { schedulers: readonly SchedulerSpec[]; watchMs?: number };

/** Checks now and then every `watchMs` (default: the shortest interval, at most a minute). */
export async function startSchedulerWatchdog(ctx: Context, p: WatchdogParameters): Promise<SchedulerWatchdog> {
  const log = ctx.logger.child({ stage: "recover" });
  const check = async () => {
    const recreated = await ensureSchedulers(ctx, p.schedulers);
    if (recreated.length > 0) await recoverAfterWipe(ctx);
    return recreated;
  };
  await ensureSchedulers(ctx, p.schedulers);
  let checking: Promise<unknown> = Promise.resolve();
  const every = p.watchMs ?? Math.min(MAX_WATCH_MS, ...p.schedulers.map((s) => s.everyMs));
  const timer = setInterval(() => {
    checking = check()
      .then(
        (ids) =>
          ids.length > 0 && log.warn({ schedulers: ids }, "job schedulers were missing from Redis (wiped?): recreated"),
      )
      .catch((error) => log.warn({ err: (error as Error).message }, "cannot check the job schedulers"));
  }, every);
  timer.unref();
  return {
    check,
    close: async () => {
      clearInterval(timer);
      await checking;
    },
  };
}

/** Recovery passes now and after the quiet period, for the work a Redis wipe just lost. */
async function recoverAfterWipe(ctx: Context): Promise<void> {
  const quietMs = 2 * ctx.config.WORKER_LOCK_DURATION_MS + 1_000;
  const now = Date.now();
  for (const delay of [0, quietMs]) {
    await ctx.queues.recover.add(QUEUE.recover, { afterWipe: true } satisfies RecoverJobData, {
      jobId: `recover-wipe-${now}-${delay}`,
      delay,
      attempts: 1,
      removeOnComplete: true,
      removeOnFail: true,
    });
  }
}
