/**
 * One production-shaped stack for a bench:surge row, all real processes on loopback: anvil with 1 s
 * blocks and GliskNFT deployed, redis-server, a fresh database (Postgres at TEST_DATABASE_URL, else
 * PGlite directories), the indexer (`ponder start`) and the pipeline as `npm start` runs them
 * (compiled, dist/pipeline.js), and the fake Replicate when the row uses it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type FakeReplicate, startFakeReplicate } from "../../fakes/replicate";
import { anvilAccount, anvilKey, deployGlisk, waitFor } from "../../scripts/lib/glisk";
import { entryArgs, ponderArgs } from "../../scripts/lib/launch";
import { freePort, type Service, startAnvil, startRedis, stopProcess } from "../../scripts/lib/processes";
import { createScratchDatabase } from "../../scripts/lib/scratch-database";

export type Provider = { kind: "replicate"; perMinute: number; predictMs: number } | { kind: "local" };

export type Stack = {
  rpcUrl: string;
  contract: `0x${string}`;
  startBlock: number;
  database: "postgres" | "pglite";
  replicate?: FakeReplicate;
  /** Process ids to measure, by name. */
  pids: Record<"pipeline" | "indexer" | "anvil" | "redis", number>;
  /** Stops every process; `keepLogs` leaves the indexer's and pipeline's logs in the temp directory. */
  stop: (keepLogs?: boolean) => Promise<void>;
  logs: string;
};

const ADMIN_TOKEN = "bench-surge-admin-token-0123456789";
const BLOCK_GAS_LIMIT = 150_000_000;

async function answers(url: string): Promise<boolean> {
  return (await fetch(url).catch(() => undefined))?.ok ?? false;
}

/**
 * Spawns a Node child writing its output straight to the file `log` (kept for a failed run): through
 * a pipe, a busy bench process would slow the child's logging down and skew what is measured.
 */
function node(args: string[], env: NodeJS.ProcessEnv, log: string): ChildProcess {
  const fd = openSync(log, "w");
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  return child;
}

function providerEnv(provider: Provider, replicate?: FakeReplicate): Record<string, string> {
  if (provider.kind === "local" || !replicate) return { IMAGE_PROVIDER: "local" };
  return { ...replicate.env, IMAGE_RATE_LIMIT_PER_MINUTE: String(provider.perMinute) };
}

/** Starts the stack and waits until the indexer is ready and the pipeline healthy. */
export async function startStack(provider: Provider): Promise<Stack> {
  const dir = mkdtempSync(path.join(tmpdir(), "glisk-surge-"));
  const started: (Service | { stop: () => Promise<void> })[] = [];
  const children: ChildProcess[] = [];
  const stop = async (keepLogs = false) => {
    for (const child of children.reverse()) await stopProcess(child, 30_000);
    for (const service of started.reverse()) await service.stop();
    if (!keepLogs) rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Base's blocks hold about 150M gas; anvil's default 30M would fill with a surge's mints and reveals.
    const anvil = await startAnvil({ blockTime: 1, gasLimit: BLOCK_GAS_LIMIT });
    started.push(anvil);
    const redis = await startRedis();
    started.push(redis);
    const database = await createScratchDatabase();
    started.push({ stop: database.drop });
    const replicate = provider.kind === "replicate" ? await startFakeReplicate() : undefined;
    if (replicate && provider.kind === "replicate") {
      started.push({ stop: replicate.close });
      Object.assign(replicate.behaviour, {
        createsPerMinute: provider.perMinute,
        predictMs: provider.predictMs,
        processingPolls: 0,
      });
    }
    const { address, startBlock } = await deployGlisk({ rpcUrl: anvil.url, keeper: anvilAccount(1).address });
    const ports = { indexer: await freePort(), pipeline: await freePort() };
    const shared = {
      ...process.env,
      NODE_ENV: "production",
      GLISK_NETWORK: "anvil",
      PONDER_RPC_URL_31337: anvil.url,
      GLISK_CONTRACT_ADDRESS: address,
      GLISK_START_BLOCK: String(startBlock),
      REDIS_URL: redis.url,
      QUEUE_PREFIX: "surge",
      ...(database.kind === "postgres" ? { DATABASE_URL: database.url } : { DATABASE_URL: "" }),
    };
    const indexer = node(
      ponderArgs(["start", "--schema", `surge_${process.pid}`]),
      {
        ...shared,
        PORT: String(ports.indexer),
        PONDER_LOG_LEVEL: "warn",
        PONDER_TELEMETRY_DISABLED: "true",
        PONDER_PGLITE_DIR: path.join(dir, "ponder"),
      },
      path.join(dir, "indexer.log"),
    );
    children.push(indexer);
    const pipeline = node(
      entryArgs("pipeline", true),
      {
        ...shared,
        ...providerEnv(provider, replicate),
        PORT: String(ports.pipeline),
        ADMIN_API_TOKEN: ADMIN_TOKEN,
        KEEPER_PRIVATE_KEY: anvilKey(1),
        LOG_LEVEL: "info",
        IPFS_PROVIDER: "local",
        IPFS_DATA_DIR: path.join(dir, "ipfs"),
        PIPELINE_DATA_DIR: path.join(dir, "pipeline"),
        INDEXER_URL: `http://127.0.0.1:${ports.indexer}`,
      },
      path.join(dir, "pipeline.log"),
    );
    children.push(pipeline);
    await waitFor(
      async () => {
        for (const child of children) if (child.exitCode !== null) throw new Error(`a process exited; logs in ${dir}`);
        return (
          (await answers(`http://127.0.0.1:${ports.indexer}/ready`)) &&
          (await answers(`http://127.0.0.1:${ports.pipeline}/health/ready`))
        );
      },
      { timeoutMs: 180_000, intervalMs: 250, message: `indexer and pipeline to start (logs in ${dir})` },
    );
    const pid = (p: { pid?: number } | undefined) => p?.pid ?? 0;
    return {
      rpcUrl: anvil.url,
      contract: address,
      startBlock,
      database: database.kind,
      replicate,
      pids: { pipeline: pid(pipeline), indexer: pid(indexer), anvil: pid(anvil.process), redis: pid(redis.process) },
      stop,
      logs: dir,
    };
  } catch (error) {
    await stop(true);
    throw error;
  }
}
