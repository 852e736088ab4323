/**
 * Periodic stage recovery (RECOVER_INTERVAL_SECONDS): heals a Redis wipe (FLUSHALL, failover to an
 * empty replica, a restore) while the pipeline keeps running, without waiting for a restart.
 *
 * - Once per interval across all replicas: a BullMQ job scheduler on the `recover` queue makes one
 *   job per interval, whichever replica's worker takes it.
 * - Never concurrently with itself: the queue's global concurrency is 1, and the job's lock is
 *   renewed while it runs (a crashed holder's job is taken over after WORKER_LOCK_DURATION_MS).
 * - The scheduler lives in Redis, so a wipe removes it too: every replica checks for it on a local
 *   timer and recreates it (and the reveal queue's single-flight setting) when it is gone.
 * - Never races a live job: only rows unchanged for the grace period are touched (see `quietSince`),
 *   and `ensureJob` leaves any job still in Redis alone. Idempotent by deterministic job ids.
 */
import { Worker } from "bullmq";
import { QUEUE, type RecoverJobData, SCHEDULER } from "../../common/jobs";
import type { Config } from "../config";
import type { Context } from "../context";
import { workerOptions } from "../workers";
import { type RecoverParameters, type RecoverReturnType, recoverStages } from "./recover-stages";

/** The longest the watchdog waits before noticing a wiped scheduler. */
const MAX_WATCH_MS = 60_000;

/**
 * Rows written more recently than this may belong to a job still running whose Redis entry was
 * wiped: twice the lock, plus the longest a stage goes without writing its row — a generate attempt
 * waits on the provider and then downloads, a pin upload runs up to PIN_TIMEOUT_MS (the image's
 * pin is recorded before the metadata's upload starts).
 */
export function quietSince(config: Config, now = Date.now()): NonNullable<RecoverParameters["quietSince"]> {
  const base = now - 2 * config.WORKER_LOCK_DURATION_MS;
  return {
    detected: new Date(base),
    generating: new Date(base - config.GENERATE_TIMEOUT_SECONDS * 1000 - config.IMAGE_DOWNLOAD_TIMEOUT_MS),
    generated: new Date(base - config.PIN_TIMEOUT_MS),
  };
}

/** One periodic pass: recovers the rows that have been quiet for the grace period. */
export function recoverQuietStages(ctx: Context): Promise<RecoverReturnType> {
  return recoverStages(ctx, { quietSince: quietSince(ctx.config) });
}

export type StageRecovery = {
  /** Creates the scheduler when Redis lost it (or its interval changed); true when it did. */
  ensureScheduled(): Promise<boolean>;
  close(): Promise<void>;
};

const off: StageRecovery = { ensureScheduled: async () => false, close: async () => {} };

/** Starts this replica's part of periodic recovery: the `recover` worker and the scheduler watchdog. */
export async function startStageRecovery(ctx: Context, options: { watchMs?: number } = {}): Promise<StageRecovery> {
  const { config } = ctx;
  if (config.RECOVER_INTERVAL_SECONDS === 0) return off;
  const every = config.RECOVER_INTERVAL_SECONDS * 1000;
  const log = ctx.logger.child({ stage: "recover" });
  const queue = ctx.queues.recover;
  const worker = new Worker<RecoverJobData, RecoverReturnType>(
    QUEUE.recover,
    () => recoverQuietStages(ctx),
    // A pass whose holder died is taken over once, then dropped: the next interval runs a fresh one.
    workerOptions(ctx, { concurrency: 1, maxStalledCount: 1 }),
  );
  worker.on("failed", (job, error) => log.warn({ err: error.message, jobId: job?.id }, "periodic recovery failed"));
  worker.on("error", (error) => log.warn({ err: error.message }, "recover worker error"));

  const ensureScheduled = async (): Promise<boolean> => {
    const current = await queue.getJobScheduler(SCHEDULER.stageRecovery);
    // Upserting an unchanged scheduler on every tick would reschedule it; only a missing one (or a
    // new interval after a deploy) is written.
    if (current && Number(current.every) === every) return false;
    await queue.setGlobalConcurrency(1);
    // The same wipe removed the reveal queue's single-flight setting (invariant 5): put it back
    // before any round could run on two replicas at once.
    await ctx.queues.reveal.setGlobalConcurrency(1);
    await queue.upsertJobScheduler(
      SCHEDULER.stageRecovery,
      { every },
      { name: QUEUE.recover, data: {}, opts: { attempts: 1, removeOnComplete: true, removeOnFail: true } },
    );
    return true;
  };

  await ensureScheduled();
  let checking: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    checking = ensureScheduled()
      .then((created) => created && log.warn("recovery schedule was missing from Redis (wiped?): recreated"))
      .catch((error) => log.warn({ err: (error as Error).message }, "cannot check the recovery schedule"));
  }, options.watchMs ?? Math.min(every, MAX_WATCH_MS));
  timer.unref();
  log.info({ everySeconds: config.RECOVER_INTERVAL_SECONDS }, "periodic stage recovery scheduled");
  return {
    ensureScheduled,
    close: async () => {
      clearInterval(timer);
      await checking;
      await worker.close();
    },
  };
}
