/**
 * Starts the BullMQ workers of the generate and pin stages. Each worker has its own blocking Redis
 * connection, the queue prefix and per-stage concurrency from the config. Jobs carry their attempts
 * and backoff (exponential with jitter) from the producer; see queues.ts.
 *
 * `close()` is the clean shutdown: workers stop taking jobs and wait for the active ones to finish,
 * so nothing is left active (a job cut off mid-way would only be picked up after its lock expires).
 * Generate jobs still waiting on a provider after SHUTDOWN_GRACE_MS are interrupted and put back.
 */
import { Worker, type WorkerOptions } from "bullmq";
import type { Context } from "./context";
import { createGenerateProcessor, GENERATE_QUEUE } from "./generate/processor";
import { createPinProcessor, PIN_QUEUE } from "./pin/processor";
import { createImageProviders, type ImageProviders } from "./providers/image";
import { createLocalStore, type LocalStore } from "./providers/local-ipfs-store";
import { createIpfsPinner, type IpfsPinner } from "./providers/pinner";

export type StageWorkers = { generate: Worker; pin: Worker; close: () => Promise<void> };

/** Replaceable parts, for tests and benchmarks; the config decides everything else. */
export type StageWorkerOverrides = {
  providers?: ImageProviders;
  pinner?: IpfsPinner | null;
  store?: LocalStore;
};

/**
 * Options every worker of the pipeline shares: its own blocking connection, the queue prefix, and a
 * lock checked at half its duration, so a dead holder's job is taken over within one lock period.
 */
export function workerOptions(
  ctx: Pick<Context, "config" | "workerConnection">,
  p: { concurrency: number; maxStalledCount: number },
): WorkerOptions {
  return {
    connection: ctx.workerConnection(),
    prefix: ctx.config.QUEUE_PREFIX,
    concurrency: p.concurrency,
    lockDuration: ctx.config.WORKER_LOCK_DURATION_MS,
    stalledInterval: Math.max(250, Math.floor(ctx.config.WORKER_LOCK_DURATION_MS / 2)),
    maxStalledCount: p.maxStalledCount,
  };
}

/** Starts the generate and pin workers. */
export function startStageWorkers(ctx: Context, overrides: StageWorkerOverrides = {}): StageWorkers {
  const { config, logger } = ctx;
  const store = overrides.store ?? createLocalStore(config.IPFS_DATA_DIR);
  const providers = overrides.providers ?? createImageProviders(config);
  const pinner = overrides.pinner === null ? undefined : (overrides.pinner ?? createIpfsPinner(config));
  // A job that stalls twice (its worker died twice while holding it) is failed instead of looping.
  const options = (concurrency: number) => workerOptions(ctx, { concurrency, maxStalledCount: 2 });
  const generate = new Worker(
    GENERATE_QUEUE,
    createGenerateProcessor({ ctx, providers, store }),
    options(config.GENERATE_CONCURRENCY),
  );
  const pin = new Worker(PIN_QUEUE, createPinProcessor({ ctx, store, pinner }), options(config.PIN_CONCURRENCY));
  for (const worker of [generate, pin]) {
    worker.on("error", (error) => logger.error({ queue: worker.name, err: error.message }, "worker error"));
  }
  logger.info(
    {
      imageProvider: providers.primary.name,
      fallback: providers.fallback?.name ?? null,
      ipfsProvider: pinner?.name ?? "local",
      generateConcurrency: config.GENERATE_CONCURRENCY,
      pinConcurrency: config.PIN_CONCURRENCY,
    },
    "stage workers started",
  );
  return {
    generate,
    pin,
    close: async () => {
      // Generate jobs may wait minutes on a provider: past the grace period they are interrupted and
      // requeued (pin jobs are short and bounded by PIN_TIMEOUT_MS, so they always finish).
      const interrupt = setTimeout(() => generate.cancelAllJobs("shutdown"), config.SHUTDOWN_GRACE_MS);
      try {
        await Promise.all([generate.close(), pin.close()]);
      } finally {
        clearTimeout(interrupt);
      }
    },
  };
}
