/**
 * Throughput of the generate → pin stages (tokens/s) and the pipeline process's peak memory.
 * The real entry point (`pipeline/main.ts`) runs as a child process against anvil, Redis and an
 * embedded PGlite, or a fresh database on the Postgres server at TEST_DATABASE_URL; this script mints the tokens, enqueues one generate job per token as the indexer
 * does, and times until every pin job completed. Scenarios:
 * - local providers (deterministic PNG, local IPFS store): the pipeline's own overhead;
 * - the fake Replicate and Pinata servers with a fixed latency (every request +LATENCY ms, every
 *   prediction PREDICT ms): how concurrency hides provider latency.
 * Peak RSS is the child's VmHWM from /proc; embedded PGlite alone peaks near 1 GB while it starts
 * (its WASM heap), so run with TEST_DATABASE_URL to see the pipeline's own footprint. Figures vary
 * with the machine; nothing asserts on them.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { type GenerateJobData, generateJobData, generateJobId, QUEUE, stageJobOptions } from "../common/jobs";
import { startFakePinata } from "../fakes/pinata";
import { startFakeReplicate } from "../fakes/replicate";
import { emptyQueues } from "../scripts/dev/external-redis";
import { anvilAccount, deployGlisk, mint, waitFor } from "../scripts/lib/glisk";
import { freePort, startAnvil, startRedis, stopProcess } from "../scripts/lib/processes";
import { createScratchDatabase } from "../scripts/lib/scratch-database";

const LATENCY_MS = 50;
const PREDICT_MS = 1_000;

type Scenario = { name: string; tokens: number; env: Record<string, string> };

const peakRssMb = (pid: number): number => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
};

async function run(base: Record<string, string>, s: Scenario, contract: `0x${string}`, rpcUrl: string) {
  const dir = mkdtempSync(path.join(tmpdir(), "glisk-bench-stages-"));
  const prefix = `bench${Math.random().toString(36).slice(2, 8)}`;
  const database = await createScratchDatabase();
  const env = {
    ...base,
    ...s.env,
    QUEUE_PREFIX: prefix,
    ...(database.kind === "postgres" ? { DATABASE_URL: database.url } : { PIPELINE_DATA_DIR: database.dir }),
    IPFS_DATA_DIR: path.join(dir, "ipfs"),
    PORT: String(await freePort()),
  };
  const jobs: GenerateJobData[] = [];
  for (let left = s.tokens; left > 0; left -= 50) {
    const author = anvilAccount(3 + (jobs.length % 3)).address;
    const minted = await mint({ rpcUrl, address: contract, author, quantity: Math.min(50, left) });
    for (const id of minted.tokenIds) {
      // The indexer's job for this token, built the way the indexer builds it.
      jobs.push(
        generateJobData({
          chainId: 31337,
          contract,
          tokenId: id,
          author,
          minter: anvilAccount(2).address,
          mintTxHash: minted.txHash,
          mintBlockNumber: minted.blockNumber,
        }),
      );
    }
  }
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "pipeline/main.ts"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const connection = new Redis(base.REDIS_URL ?? "", { maxRetriesPerRequest: null });
  const generate = new Queue(QUEUE.generate, { connection, prefix });
  const pin = new Queue(QUEUE.pin, { connection, prefix });
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${env.PORT}/health`).catch(() => undefined))?.ok, {
      timeoutMs: 60_000,
      message: "pipeline to start",
    });
    const started = performance.now();
    await generate.addBulk(
      jobs.map((data) => ({
        name: "generate",
        data,
        opts: { ...stageJobOptions(3, 500), jobId: generateJobId(data) },
      })),
    );
    await waitFor(async () => (await pin.getCompletedCount()) + (await generate.getFailedCount()) >= s.tokens, {
      timeoutMs: 600_000,
      intervalMs: 100,
      message: `${s.tokens} tokens`,
    });
    const seconds = (performance.now() - started) / 1000;
    const failed = await generate.getFailedCount();
    const rss = child.pid ? peakRssMb(child.pid) : 0;
    return {
      scenario: s.name,
      database: database.kind,
      tokens: s.tokens,
      failed,
      seconds: seconds.toFixed(1),
      "tokens/s": (s.tokens / seconds).toFixed(1),
      "peak RSS MB": rss,
    };
  } finally {
    await stopProcess(child, 30_000);
    await emptyQueues(base.REDIS_URL ?? "", prefix).catch(() => {});
    await generate.close();
    await pin.close();
    await connection.quit();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchStages(): Promise<void> {
  const anvil = await startAnvil();
  const redis = await startRedis();
  const replicate = await startFakeReplicate();
  const pinata = await startFakePinata();
  try {
    const { address, startBlock } = await deployGlisk({ rpcUrl: anvil.url, keeper: anvilAccount(1).address });
    const base = {
      NODE_ENV: "test",
      LOG_LEVEL: "warn",
      REDIS_URL: redis.url,
      GLISK_NETWORK: "anvil",
      PONDER_RPC_URL_31337: anvil.url,
      GLISK_CONTRACT_ADDRESS: address,
      GLISK_START_BLOCK: String(startBlock),
      RECOVER_ON_START: "false",
    };
    replicate.behaviour.latencyMs = LATENCY_MS;
    replicate.behaviour.predictMs = PREDICT_MS;
    replicate.behaviour.processingPolls = 0;
    pinata.behaviour.latencyMs = LATENCY_MS;
    const fakes = {
      ...replicate.env,
      REPLICATE_POLL_INTERVAL_MS: "250",
      IPFS_PROVIDER: "pinata",
      PINATA_JWT: pinata.jwt,
      PINATA_UPLOAD_URL: pinata.uploadUrl,
    };
    const scenarios: Scenario[] = [
      {
        name: "local providers, concurrency 8/8",
        tokens: 500,
        env: { IMAGE_PROVIDER: "local", IPFS_PROVIDER: "local", GENERATE_CONCURRENCY: "8", PIN_CONCURRENCY: "8" },
      },
      {
        name: `fakes (+${LATENCY_MS} ms/request, ${PREDICT_MS} ms/prediction), concurrency 8/8`,
        tokens: 100,
        env: { ...fakes, GENERATE_CONCURRENCY: "8", PIN_CONCURRENCY: "8" },
      },
      {
        name: `fakes (+${LATENCY_MS} ms/request, ${PREDICT_MS} ms/prediction), concurrency 32/16`,
        tokens: 200,
        env: { ...fakes, GENERATE_CONCURRENCY: "32", PIN_CONCURRENCY: "16" },
      },
    ];
    const rows = [];
    for (const s of scenarios) rows.push(await run(base, s, address, anvil.url));
    console.table(rows);
    console.log(
      `replicate fake: ${replicate.counters.create} predictions created; pinata fake: ${pinata.counters.upload} uploads`,
    );
  } finally {
    await replicate.close();
    await pinata.close();
    await redis.stop();
    await anvil.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchStages();
