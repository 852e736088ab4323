/**
 * Starts every BullMQ worker of the pipeline: generate and pin (the stages), reveal (one round at a
 * time across replicas) and recover (the periodic recovery pass), plus the watchdog that recreates
 * their job schedulers after a Redis wipe. The stage graph itself is in common/jobs.ts.
 *
 * Each worker has its own blocking Redis connection and a lock of WORKER_LOCK_DURATION_MS
 * (jobs/worker-options.ts). `close()` is the clean shutdown: workers stop taking jobs and wait for
 * the active ones, so nothing is left active; generate jobs still waiting on a provider after
 * SHUTDOWN_GRACE_MS are interrupted and put back.
 */
import { Worker } from "bullmq";
import { QUEUE, type RecoverJobData, type RevealJobData } from "../common/jobs";
import type { Context } from "./context";
import { openDatabase } from "./db/database";
import { createGenerateProcessor } from "./generate/processor";
import { onWorkerError } from "./jobs/on-worker-error";
import { providerLimiter } from "./jobs/provider-limiter";
import {
  ensureSchedulers,
  ensureSingleFlight,
  revealSweep,
  type SchedulerSpec,
  stageRecovery,
} from "./jobs/schedulers";
import { workerOptions } from "./jobs/worker-options";
import { createPinProcessor } from "./pin/processor";
import { createImageProviders, type ImageProviders } from "./providers/image";
import { createLocalStore, type LocalStore } from "./providers/local-ipfs-store";
import { createIpfsPinner, type IpfsPinner } from "./providers/pinner";
import { createRecoverProcessor } from "./recovery/processor";
import type { RecoverReturnType } from "./recovery/recover-stages";
import { startSchedulerWatchdog } from "./recovery/watchdog";
import { prepareKeeper, setRevealWorkerState } from "./reveal/keeper";
import { createRevealProcessor } from "./reveal/processor";
import { requestReveal } from "./reveal/request";
import type { RoundStats } from "./reveal/round";

type Stoppable = { close: () => Promise<void> };

export type StageWorkers = Stoppable & { generate: Worker; pin: Worker };

/** Replaceable parts, for tests and benchmarks; the config decides everything else. */
export type StageWorkerOverrides = {
  providers?: ImageProviders;
  pinner?: IpfsPinner | null;
  store?: LocalStore;
};

/** Starts the generate and pin workers. */
export function startStageWorkers(ctx: Context, overrides: StageWorkerOverrides = {}): StageWorkers {
  const { config, logger } = ctx;
  const store = overrides.store ?? createLocalStore(config.IPFS_DATA_DIR);
  const providers = overrides.providers ?? createImageProviders(config);
  const pinner = overrides.pinner === null ? undefined : (overrides.pinner ?? createIpfsPinner(config));
  // A job that stalls twice (its worker died twice while holding it) is failed instead of looping.
  // The limiters live in Redis: the image provider's rate holds across replicas, and a 429 from
  // either provider pauses its stage on every replica.
  const options = (concurrency: number, perMinute: number) =>
    workerOptions(ctx, { concurrency, maxStalledCount: 2, limiter: providerLimiter(perMinute) });
  const generate = new Worker(
    QUEUE.generate,
    createGenerateProcessor({ ctx, providers, store }),
    options(config.GENERATE_CONCURRENCY, config.IMAGE_RATE_LIMIT_PER_MINUTE),
  );
  const pin = new Worker(QUEUE.pin, createPinProcessor({ ctx, store, pinner }), options(config.PIN_CONCURRENCY, 0));
  // A lost connection is logged once per outage, not once per retry; a job's lost lock once per job.
  generate.on("error", onWorkerError(ctx, QUEUE.generate));
  pin.on("error", onWorkerError(ctx, QUEUE.pin));
  logger.info(
    {
      imageProvider: providers.primary.name,
      fallback: providers.fallback?.name ?? null,
      ipfsProvider: pinner?.name ?? "local",
      generateConcurrency: config.GENERATE_CONCURRENCY,
      imageRateLimitPerMinute: config.IMAGE_RATE_LIMIT_PER_MINUTE || null,
      pinConcurrency: config.PIN_CONCURRENCY,
    },
    "stage workers started",
  );
  const close = async () => {
    // Generate jobs may wait minutes on a provider: past the grace period they are interrupted and
    // requeued (pin jobs are short and bounded by PIN_TIMEOUT_MS, so they always finish).
    const interrupt = setTimeout(() => generate.cancelAllJobs("shutdown"), config.SHUTDOWN_GRACE_MS);
    try {
      await Promise.all([generate.close(), pin.close()]);
    } finally {
      clearTimeout(interrupt);
    }
  };
  return { generate, pin, close };
}

export type RevealWorker = Stoppable & { schedulers: SchedulerSpec[] };

/** How often a safety-net reveal round runs regardless of requests. */
const REVEAL_SWEEP_MS = 60_000;

/**
 * Starts the reveal worker when KEEPER_PRIVATE_KEY is set and the keeper holds KEEPER_ROLE, with the
 * sweep scheduler (`sweepMs`), and asks for a `recover` round so pending transactions are settled
 * before anything new is sent.
 */
export async function startRevealWorker(base: Context, options: { sweepMs?: number } = {}): Promise<RevealWorker> {
  const keeper = await prepareKeeper(base);
  if (!keeper) return { close: async () => {}, schedulers: [] };
  await ensureSingleFlight(base);
  // Rounds get connections of their own: during a surge the stage jobs keep the shared pool busy,
  // and the stage that drains the surge must not queue behind them (PGlite has one connection anyway).
  const own = base.config.DATABASE_URL ? openDatabase({ url: base.config.DATABASE_URL, poolSize: 2 }) : undefined;
  const ctx: Context = own ? { ...base, db: own } : base;
  const stopping = new AbortController();
  let worker: Worker<RevealJobData, RoundStats> | undefined;
  let closing: Promise<void> | undefined;
  // Aborting first ends a round that is watching a stuck transaction; rounds are crash-safe, so the
  // next holder settles whatever this one leaves pending.
  const close = () => {
    stopping.abort();
    closing ??= (worker?.close() ?? Promise.resolve())
      .then(() => own?.destroy())
      .then(() => setRevealWorkerState({ running: false }));
    return closing;
  };
  const processor = createRevealProcessor({ ctx, keeper, signal: stopping.signal, onUnauthorized: () => void close() });
  // A round that stalls repeatedly (its holder keeps crashing) is retried, not failed: rounds are idempotent.
  worker = new Worker(QUEUE.reveal, processor, workerOptions(ctx, { concurrency: 1, maxStalledCount: 10 }));
  worker.on("error", onWorkerError(ctx, QUEUE.reveal));
  setRevealWorkerState({ running: true, stoppedReason: null });
  const schedulers = [revealSweep(options.sweepMs ?? REVEAL_SWEEP_MS)];
  await ensureSchedulers(ctx, schedulers);
  await requestReveal(ctx, { trigger: "recover" });
  return { close, schedulers };
}

export type StageRecovery = Stoppable & { check(): Promise<string[]> };

/**
 * Starts this replica's part of periodic recovery (RECOVER_INTERVAL_SECONDS; 0 turns it off): the
 * `recover` worker and the watchdog that keeps `schedulers` (the recovery pass's, and the ones other
 * workers of this process own) in Redis.
 */
export async function startStageRecovery(
  ctx: Context,
  options: { watchMs?: number; schedulers?: readonly SchedulerSpec[] } = {},
): Promise<StageRecovery> {
  if (ctx.config.RECOVER_INTERVAL_SECONDS === 0) return { check: async () => [], close: async () => {} };
  const log = ctx.logger.child({ stage: "recover" });
  // A pass whose holder died is taken over once, then dropped: the next interval runs a fresh one.
  const worker = new Worker<RecoverJobData, RecoverReturnType>(
    QUEUE.recover,
    createRecoverProcessor(ctx),
    workerOptions(ctx, { concurrency: 1, maxStalledCount: 1 }),
  );
  worker.on("failed", (job, error) => log.warn({ err: error.message, jobId: job?.id }, "periodic recovery failed"));
  worker.on("error", onWorkerError(ctx, QUEUE.recover));
  const schedulers = [stageRecovery(ctx.config.RECOVER_INTERVAL_SECONDS * 1000), ...(options.schedulers ?? [])];
  const watchdog = await startSchedulerWatchdog(ctx, { schedulers, watchMs: options.watchMs });
  log.info({ everySeconds: ctx.config.RECOVER_INTERVAL_SECONDS }, "periodic stage recovery scheduled");
  return {
    check: watchdog.check,
    close: async () => {
      await watchdog.close();
      await worker.close();
    },
  };
}

/** Starts every worker of this process; `close` stops them in reverse order. */
export async function startWorkers(ctx: Context): Promise<Stoppable> {
  const stages = startStageWorkers(ctx);
  const reveal = await startRevealWorker(ctx);
  const recovery = await startStageRecovery(ctx, { schedulers: reveal.schedulers });
  return {
    close: async () => {
      for (const part of [recovery, reveal, stages]) await part.close();
    },
  };
}
