/**
 * Shared set-up of the stage tests: anvil with GliskNFT deployed, Redis, one database per file, the
 * fake Replicate and Pinata servers, and `start(env)` which builds a pipeline context and the stage
 * workers from an environment, with a fresh queue prefix each time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Job } from "bullmq";
import { afterAll, afterEach, beforeAll } from "vitest";
import { type GenerateJobData, generateJobId, stageJobOptions } from "../../common/jobs";
import { createLogger, type Logger } from "../../common/logger";
import { startFakePinata } from "../../fakes/pinata";
import { startFakeReplicate } from "../../fakes/replicate";
import { parseConfig } from "../../pipeline/config";
import { type Context, createContext } from "../../pipeline/context";
import { createDatabase, type Db } from "../../pipeline/db/database";
import type { Token } from "../../pipeline/db/schema";
import { getToken } from "../../pipeline/db/token-queries";
import { type StageWorkers, startStageWorkers } from "../../pipeline/workers";
import { anvilAccount, deployGlisk, mint, waitFor } from "../../scripts/lib/glisk";
import { createScratchDatabase, type ScratchDatabase } from "../../scripts/lib/scratch-database";
import { useAnvil, useRedis } from "./services";

export type Pipeline = { ctx: Context; workers: StageWorkers; stop: () => Promise<void> };

export function useStages() {
  const anvil = useAnvil();
  const redis = useRedis();
  const state: {
    db?: Db;
    test?: ScratchDatabase & { drop: () => Promise<void> };
    contract?: `0x${string}`;
    startBlock?: number;
    ipfsDir?: string;
    replicate?: Awaited<ReturnType<typeof startFakeReplicate>>;
    pinata?: Awaited<ReturnType<typeof startFakePinata>>;
    running: Pipeline[];
  } = { running: [] };

  beforeAll(async () => {
    const { address, startBlock } = await deployGlisk({ rpcUrl: anvil().url, keeper: anvilAccount(1).address });
    state.contract = address;
    state.startBlock = startBlock;
    state.test = await createScratchDatabase();
    state.db = await openScratchDatabase(state.test);
    state.ipfsDir = mkdtempSync(path.join(tmpdir(), "glisk-stages-ipfs-"));
    state.replicate = await startFakeReplicate();
    state.pinata = await startFakePinata();
  });
  // Every pipeline a test starts stops after it, so the test files keep no stop bookkeeping.
  afterEach(async () => {
    for (const p of state.running.splice(0)) await p.stop().catch(() => {});
  });
  afterAll(async () => {
    for (const p of state.running) await p.stop().catch(() => {});
    await state.replicate?.close();
    await state.pinata?.close();
    await state.db?.destroy();
    await state.test?.drop();
    if (state.ipfsDir) rmSync(state.ipfsDir, { recursive: true, force: true });
  });

  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`${what} is not ready`);
    return v;
  };

  /** The environment of a pipeline on the fakes; `extra` overrides any variable. */
  const env = (extra: Record<string, string> = {}): Record<string, string> => {
    const replicate = need(state.replicate, "replicate fake");
    const pinata = need(state.pinata, "pinata fake");
    return {
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      REDIS_URL: redis().url,
      QUEUE_PREFIX: `s${process.pid}${Math.random().toString(36).slice(2, 8)}`,
      GLISK_NETWORK: "anvil",
      PONDER_RPC_URL_31337: anvil().url,
      GLISK_CONTRACT_ADDRESS: need(state.contract, "contract"),
      GLISK_START_BLOCK: String(state.startBlock),
      IPFS_DATA_DIR: need(state.ipfsDir, "ipfs dir"),
      ...replicate.env,
      REPLICATE_POLL_INTERVAL_MS: "20",
      IPFS_PROVIDER: "pinata",
      PINATA_JWT: pinata.jwt,
      PINATA_UPLOAD_URL: pinata.uploadUrl,
      JOB_ATTEMPTS: "4",
      JOB_BACKOFF_MS: "50",
      WORKER_LOCK_DURATION_MS: "2000",
      ...extra,
    };
  };

  /** Starts a context and the stage workers for `env(extra)`; silent unless a `logger` is given. */
  const start = async (extra: Record<string, string> = {}, logger?: Logger): Promise<Pipeline> => {
    const config = parseConfig(env(extra));
    const ctx = await createContext(config, {
      db: need(state.db, "db"),
      logger: logger ?? createLogger({ level: "silent" }),
    });
    const workers = startStageWorkers(ctx);
    let stopped = false;
    const pipeline: Pipeline = {
      ctx,
      workers,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await workers.close();
        await Promise.all(Object.values(ctx.queues).map((q) => q.obliterate({ force: true }).catch(() => {})));
        await ctx.close();
      },
    };
    state.running.push(pipeline);
    return pipeline;
  };

  /** Mints `quantity` tokens for `author` and returns one generate job's data per token. */
  const mintJobs = async (author: `0x${string}`, quantity = 1): Promise<GenerateJobData[]> => {
    const minted = await mint({ rpcUrl: anvil().url, address: need(state.contract, "contract"), author, quantity });
    return minted.tokenIds.map((id) => ({
      chainId: 31337,
      contract: need(state.contract, "contract"),
      tokenId: id.toString(),
      promptAuthor: author,
      minter: anvilAccount(2).address,
      mintTxHash: minted.txHash,
      mintBlockNumber: minted.blockNumber.toString(),
    }));
  };

  /** Mints one token for `author` and returns its generate job's data. */
  const mintJob = async (author: `0x${string}`): Promise<GenerateJobData> => {
    const [job] = await mintJobs(author);
    if (!job) throw new Error("no job");
    return job;
  };

  /** Enqueues generate jobs as the indexer does (deterministic ids). */
  const enqueue = async (p: Pipeline, jobs: GenerateJobData[]): Promise<Job[]> =>
    p.ctx.queues.generate.addBulk(
      jobs.map((data) => ({
        name: "generate",
        data,
        opts: {
          ...stageJobOptions(p.ctx.config.JOB_ATTEMPTS, p.ctx.config.JOB_BACKOFF_MS),
          jobId: generateJobId(data),
        },
      })),
    );

  /** Waits until the token reaches one of `statuses`. */
  const until = async (tokenId: string, statuses: string[], timeoutMs = 30_000): Promise<Token> =>
    waitFor(
      async () => {
        const t = await getToken(need(state.db, "db"), { chainId: 31337, tokenId });
        return t && statuses.includes(t.status) ? t : undefined;
      },
      { timeoutMs, intervalMs: 50, message: `token ${tokenId} to reach ${statuses.join("|")}` },
    );

  /** Mints one token for `author`, enqueues its job on `p` and waits until it is uploaded or failed. */
  const mintAndRun = async (p: Pipeline, author: `0x${string}`): Promise<{ job: GenerateJobData; token: Token }> => {
    const job = await mintJob(author);
    await enqueue(p, [job]);
    return { job, token: await until(job.tokenId, ["uploaded", "failed"]) };
  };

  return {
    anvil,
    redis,
    db: () => need(state.db, "db"),
    testDatabase: () => need(state.test, "test database"),
    contract: () => need(state.contract, "contract"),
    ipfsDir: () => need(state.ipfsDir, "ipfs dir"),
    replicate: () => need(state.replicate, "replicate fake"),
    pinata: () => need(state.pinata, "pinata fake"),
    env,
    start,
    mintJobs,
    mintJob,
    enqueue,
    until,
    mintAndRun,
  };
}

/** Opens a test database as the pipeline would (`DATABASE_URL` or `PIPELINE_DATA_DIR`). */
export function openScratchDatabase(database: ScratchDatabase): Promise<Db> {
  return createDatabase(database.kind === "postgres" ? { url: database.url } : { dataDir: database.dir });
}

/** The pipeline variables that point a separate process at `database`. */
export function databaseEnv(database: ScratchDatabase): Record<string, string> {
  return database.kind === "postgres" ? { DATABASE_URL: database.url } : { PIPELINE_DATA_DIR: database.dir };
}

/** Runs the stage workers in this process on `env` until `tokenId` is uploaded or failed, then stops them. */
export async function finishInProcess(p: {
  env: Record<string, string>;
  database: ScratchDatabase;
  tokenId: string;
  message: string;
}): Promise<Token> {
  const db = await openScratchDatabase(p.database);
  const ctx = await createContext(parseConfig(p.env), { db, logger: createLogger({ level: "silent" }) });
  const workers = startStageWorkers(ctx);
  try {
    return await waitFor(
      async () => {
        const t = await getToken(db, { chainId: 31337, tokenId: p.tokenId });
        return t && ["uploaded", "failed"].includes(t.status) ? t : undefined;
      },
      { timeoutMs: 30_000, message: p.message },
    );
  } finally {
    await workers.close();
    await ctx.close();
    await db.destroy();
  }
}
