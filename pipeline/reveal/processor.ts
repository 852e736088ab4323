/**
 * The reveal stage: one BullMQ worker per pipeline process on the `reveal` queue, whose global
 * concurrency of 1 makes rounds single-flight across every replica (invariant 5). A crashed holder
 * loses its lock after `lockDuration`; BullMQ's stalled-job check then hands the round to another
 * replica, whose first step settles the pending transaction the crashed one left.
 */
import { type Job, UnrecoverableError, Worker } from "bullmq";
import { QUEUE, type RevealJobData, SCHEDULER } from "../../common/jobs";
import type { Context } from "../context";
import { forQueue } from "../errors";
import { checkKeeper, type Keeper, KeeperUnauthorizedError, keeperFromConfig, setRevealWorkerState } from "./keeper";
import { requestReveal } from "./request";
import { type RoundStats, runRevealRound } from "./round";
import { WorkerStoppingError } from "./watch";

export const REVEAL_QUEUE = QUEUE.reveal;
export type { RevealJobData };

/** The processor of reveal jobs for one keeper. */
export function revealProcessor(ctx: Context, keeper: Keeper, signal?: AbortSignal) {
  return async (job: Job<RevealJobData>): Promise<RoundStats> => {
    try {
      const stats = await runRevealRound(ctx, keeper, job.data, job.id, signal);
      ctx.logger.info({ jobId: job.id, trigger: job.data.trigger, ...stats }, "reveal round finished");
      return stats;
    } catch (error) {
      if (error instanceof UnrecoverableError) throw error;
      if (error instanceof WorkerStoppingError) {
        ctx.logger.info({ jobId: job.id }, error.message);
        throw error;
      }
      ctx.logger.warn({ err: (error as Error).message, jobId: job.id }, "reveal round failed; BullMQ retries it");
      throw forQueue(error);
    }
  };
}

export type RevealWorkerOptions = {
  /** How long a round's lock lives without renewal: a crashed holder blocks others at most this long. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** How often a safety-net round runs regardless of requests (default 60 s). */
  sweepMs?: number;
};

export type RevealWorker = { close(): Promise<void> };

const idle: RevealWorker = { close: async () => {} };

/**
 * Starts the reveal worker when KEEPER_PRIVATE_KEY is set and the keeper holds KEEPER_ROLE, and asks
 * for a `recover` round so pending transactions are settled before anything new is sent.
 */
export async function startRevealWorker(ctx: Context, options: RevealWorkerOptions = {}): Promise<RevealWorker> {
  const keeper = keeperFromConfig(ctx.config);
  if (!keeper) {
    const reason = "KEEPER_PRIVATE_KEY is not set: tokens stay ready and are not revealed";
    ctx.logger.warn(reason);
    setRevealWorkerState({ running: false, stoppedReason: reason });
    return idle;
  }
  const log = ctx.logger.child({ stage: "reveal", keeper: keeper.address });
  const check = await checkKeeper(ctx.chain, ctx.config.network.address, keeper.address).catch((error) => {
    // The chain is unreachable: start anyway; rounds retry and the first simulation checks the role.
    log.warn({ err: (error as Error).message }, "cannot check the keeper's role and balance now");
    return undefined;
  });
  if (check) setRevealWorkerState({ lastCheck: check });
  if (check && !check.hasRole) {
    const error = new KeeperUnauthorizedError(keeper.address, "hasRole(KEEPER_ROLE) is false");
    log.error({ err: error.message }, error.message);
    setRevealWorkerState({ running: false, stoppedReason: error.message });
    return idle;
  }
  if (check?.balanceWei === 0n) log.error("keeper balance is 0: reveal transactions cannot pay for gas");
  else if (check) log.info({ balanceWei: check.balanceWei.toString() }, "keeper ready");

  await ctx.queues.reveal.setGlobalConcurrency(1);
  const stopping = new AbortController();
  const worker = new Worker<RevealJobData, RoundStats>(REVEAL_QUEUE, revealProcessor(ctx, keeper, stopping.signal), {
    connection: ctx.workerConnection(),
    prefix: ctx.config.QUEUE_PREFIX,
    concurrency: 1,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? options.lockDurationMs ?? 30_000,
    // A round that stalls repeatedly (its holder keeps crashing) is retried, not failed: rounds are idempotent.
    maxStalledCount: 10,
  });
  let closing: Promise<void> | undefined;
  // Aborting first ends a round that is watching a stuck transaction; rounds are crash-safe, so the
  // next holder settles whatever this one leaves pending.
  const close = () => {
    stopping.abort();
    closing ??= worker.close().then(() => setRevealWorkerState({ running: false }));
    return closing;
  };
  worker.on("failed", (job, error) => {
    if (error instanceof KeeperUnauthorizedError || error.name === "KeeperUnauthorizedError") {
      log.error({ err: error.message, jobId: job?.id }, error.message);
      setRevealWorkerState({ running: false, stoppedReason: error.message });
      void close();
    }
  });
  worker.on("error", (error) => log.warn({ err: error.message }, "reveal worker error"));
  setRevealWorkerState({ running: true, stoppedReason: null });
  // Safety net: a round whose retries ran out during an RPC outage, or a lost timer, must not leave
  // pending transactions or ready tokens waiting for the next request. One scheduler for all replicas.
  await ctx.queues.reveal.upsertJobScheduler(
    SCHEDULER.revealSweep,
    { every: options.sweepMs ?? 60_000 },
    { name: "reveal", data: { trigger: "recover" }, opts: { removeOnComplete: true, removeOnFail: true } },
  );
  await requestReveal(ctx, { trigger: "recover" });
  return { close };
}
