/**
 * The real pipeline process (pipeline/main.ts) through dependency faults injected from outside: a
 * Postgres crash-restart (`pg_ctl restart -m immediate`) and a Redis kill -9 brought back from its
 * append-only file. The process must not exit, must log each outage once rather than per retry, and
 * must finish the tokens minted around the faults: each revealed exactly once.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GliskNFTAbi } from "../abis/GliskNFTAbi";
import { generateJobData, generateJobId, QUEUE, stageJobOptions } from "../common/jobs";
import { anvilAccount, anvilKey, deployGlisk, localClients, mint, waitFor } from "../scripts/lib/glisk";
import { type PostgresServer, startPostgres } from "../scripts/lib/postgres";
import { freePort, type Service, startRedis, stopProcess } from "../scripts/lib/processes";
import { revealedOnChain } from "./helpers/reveal";
import { useAnvil } from "./helpers/services";

const anvil = useAnvil();
const author = anvilAccount(3).address;

let postgres: PostgresServer;
let redis: Service;
let redisDir: string;
let ipfsDir: string;
let contract: `0x${string}`;
let startBlock: number;
let pipeline: ChildProcess | undefined;
let output = "";
let port = 0;

beforeAll(async () => {
  ({ address: contract, startBlock } = await deployGlisk({ rpcUrl: anvil().url, keeper: anvilAccount(1).address }));
  postgres = await startPostgres();
  redisDir = mkdtempSync(path.join(tmpdir(), "glisk-faults-redis-"));
  ipfsDir = mkdtempSync(path.join(tmpdir(), "glisk-faults-ipfs-"));
  redis = await startRedis({ dir: redisDir });
  port = await freePort();
  pipeline = spawn(process.execPath, ["--import", "tsx", "pipeline/main.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "test",
      LOG_LEVEL: "info",
      PORT: String(port),
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: "faults",
      GLISK_NETWORK: "anvil",
      PONDER_RPC_URL_31337: anvil().url,
      GLISK_CONTRACT_ADDRESS: contract,
      GLISK_START_BLOCK: String(startBlock),
      IMAGE_PROVIDER: "local",
      IPFS_PROVIDER: "local",
      IPFS_DATA_DIR: ipfsDir,
      KEEPER_PRIVATE_KEY: anvilKey(1),
      REVEAL_CONFIRMATIONS: "0",
      BATCH_REVEAL_WAIT_SECONDS: "0",
      WORKER_LOCK_DURATION_MS: "2000",
      JOB_BACKOFF_MS: "200",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
  };
  pipeline.stdout?.on("data", keep);
  pipeline.stderr?.on("data", keep);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok, {
    message: "pipeline up",
  });
}, 60_000);

afterAll(async () => {
  await stopProcess(pipeline, 20_000);
  await redis?.stop();
  postgres?.stop();
  for (const dir of [redisDir, ipfsDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Mints `quantity` tokens and enqueues their generate jobs exactly as the indexer does. */
async function mintAndEnqueue(quantity: number): Promise<bigint[]> {
  const minted = await mint({ rpcUrl: anvil().url, address: contract, author, quantity });
  const connection = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  const queue = new Queue(QUEUE.generate, { connection, prefix: "faults" });
  try {
    for (const tokenId of minted.tokenIds) {
      const data = generateJobData({
        chainId: 31337,
        contract,
        tokenId,
        author,
        minter: anvilAccount(2).address,
        mintTxHash: minted.txHash,
        mintBlockNumber: minted.blockNumber,
      });
      await queue.add(QUEUE.generate, data, { ...stageJobOptions(8, 200), jobId: generateJobId(data) });
    }
  } finally {
    await queue.close();
    connection.disconnect();
  }
  return minted.tokenIds;
}

const revealed = (ids: bigint[]) =>
  waitFor(
    async () => {
      const { publicClient } = localClients(anvil().url);
      const flags = await Promise.all(
        ids.map((id) =>
          publicClient.readContract({ address: contract, abi: GliskNFTAbi, functionName: "isRevealed", args: [id] }),
        ),
      );
      return flags.every(Boolean);
    },
    { timeoutMs: 60_000, intervalMs: 250, message: `tokens ${ids.join(", ")} revealed` },
  );

const ready = () =>
  fetch(`http://127.0.0.1:${port}/health/ready`).then(
    (r) => r.status,
    () => 0,
  );

describe("dependency faults on the running pipeline", () => {
  test("a Postgres crash-restart: the process stays up, logs the outage, and finishes the tokens", async () => {
    await revealed(await mintAndEnqueue(2));
    const before = output.length;
    postgres.restart("immediate");
    const during = await mintAndEnqueue(3);
    await revealed(during);
    expect(pipeline?.exitCode).toBeNull();
    await waitFor(async () => (await ready()) === 200, { message: "ready again" });
    const lines = output.slice(before);
    expect(lines.match(/"msg":"postgres unreachable"/g) ?? []).toHaveLength(1);
  }, 120_000);

  test("Redis killed and back from its append-only file: one outage line, and the work resumes", async () => {
    const before = output.length;
    const redisPort = redis.port;
    redis.process?.kill("SIGKILL");
    await new Promise((r) => redis.process?.once("exit", r));
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await ready()).toBe(503);
    redis = await startRedis({ port: redisPort, dir: redisDir });
    await waitFor(async () => (await ready()) === 200, { timeoutMs: 30_000, message: "ready again" });
    const after = await mintAndEnqueue(3);
    await revealed(after);
    expect(pipeline?.exitCode).toBeNull();
    const lines = output.slice(before);
    expect(lines.match(/"msg":"redis unreachable"/g) ?? []).toHaveLength(1);
    expect(lines).toContain('"msg":"redis reachable again"');
    // Dozens of reconnect attempts, but at most a handful of error-level lines.
    expect((lines.match(/"level":50/g) ?? []).length).toBeLessThanOrEqual(3);
  }, 120_000);

  test("every token minted around the faults was revealed exactly once", async () => {
    const { counts } = await revealedOnChain(anvil().url, contract);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(counts.size).toBe(8);
  });
});
