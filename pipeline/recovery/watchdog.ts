/**
 * Every replica's watch over the job schedulers: they live in Redis, so a wipe (FLUSHALL, failover to
 * an empty replica, a restore) removes them, and nothing else would bring back the periodic recovery
 * pass or the reveal sweep until a restart. A local timer recreates whichever is missing.
 */
import type { Context } from "../context";
import { ensureSchedulers, type SchedulerSpec } from "../jobs/schedulers";

/** The longest the watchdog waits before noticing a wiped scheduler. */
const MAX_WATCH_MS = 60_000;

export type SchedulerWatchdog = {
  /** Recreates the schedulers Redis lost; returns their ids. */
  check(): Promise<string[]>;
  close(): Promise<void>;
};

export type WatchdogParameters = { schedulers: readonly SchedulerSpec[]; watchMs?: number };

/** Checks now and then every `watchMs` (default: the shortest interval, at most a minute). */
export async function startSchedulerWatchdog(ctx: Context, p: WatchdogParameters): Promise<SchedulerWatchdog> {
  const log = ctx.logger.child({ stage: "recover" });
  const check = () => ensureSchedulers(ctx, p.schedulers);
  await check();
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
