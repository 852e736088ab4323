/** GET /admin/system: what this process runs with, minus every secret. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Context } from "../context";
import { keeperStatus } from "../reveal/keeper";

/** The version in the nearest package.json named `name` at or above `dir`. */
function versionAbove(dir: string, name: string): string | null {
  for (let current = dir; current !== path.dirname(current); current = path.dirname(current)) {
    const file = path.join(current, "package.json");
    if (!existsSync(file)) continue;
    const json = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
    if (json.name === name && json.version) return json.version;
  }
  return null;
}

/**
 * The installed version of `pkg`. Packages whose `exports` hide package.json (hono, kysely) are
 * found from their entry point, walking up to the package.json that names them.
 */
function versionOf(pkg: string): string | null {
  try {
    return versionAbove(path.dirname(fileURLToPath(import.meta.resolve(pkg))), pkg);
  } catch {
    return null; // unresolvable
  }
}

/** This project's version, found the same way from the sources and from the bundle in dist/. */
function ownVersion(): string | null {
  try {
    return versionAbove(path.dirname(fileURLToPath(import.meta.url)), "glisk-reveal-pipeline");
  } catch {
    return null;
  }
}

let cachedVersions: Record<string, string | null> | undefined;

/** Installed versions, read from disk once: they cannot change while the process runs. */
function versions() {
  cachedVersions ??= {
    glisk: ownVersion(),
    node: process.versions.node,
    bullmq: versionOf("bullmq"),
    hono: versionOf("hono"),
    viem: versionOf("viem"),
    kysely: versionOf("kysely"),
  };
  return cachedVersions;
}

/** Non-secret settings, listed explicitly so a new secret can never leak by default. */
function configSummary(config: Context["config"]) {
  return {
    nodeEnv: config.NODE_ENV,
    network: {
      name: config.network.name,
      chainId: config.network.chainId,
      contract: config.network.address,
      startBlock: config.network.startBlock,
    },
    database: config.DATABASE_URL ? "postgres" : "pglite",
    queuePrefix: config.QUEUE_PREFIX,
    workersEnabled: config.WORKERS_ENABLED,
    images: {
      provider: config.IMAGE_PROVIDER,
      fallbackProvider: config.IMAGE_FALLBACK_PROVIDER ?? null,
      model: config.IMAGE_PROVIDER === "replicate" ? config.REPLICATE_MODEL : null,
      concurrency: config.GENERATE_CONCURRENCY,
      rateLimitPerMinute: config.IMAGE_RATE_LIMIT_PER_MINUTE || null,
      jobAttempts: config.JOB_ATTEMPTS,
    },
    ipfs: { provider: config.IPFS_PROVIDER, pinConcurrency: config.PIN_CONCURRENCY },
    reveal: {
      gasBudget: config.REVEAL_GAS_BUDGET,
      waitSeconds: config.BATCH_REVEAL_WAIT_SECONDS,
      confirmations: config.REVEAL_CONFIRMATIONS,
      maxFeeGwei: config.REVEAL_MAX_FEE_GWEI,
      stuckSeconds: config.REVEAL_STUCK_SECONDS,
    },
    adminTokenSet: Boolean(config.ADMIN_API_TOKEN),
  };
}

export async function systemSummary(ctx: Context) {
  const queues: Record<string, unknown> = {};
  for (const [name, queue] of Object.entries(ctx.queues)) {
    queues[name] = await queue
      .getJobCounts("waiting", "active", "delayed", "prioritized", "failed", "completed")
      .then(async (counts) => {
        const [workers, paused] = await Promise.all([queue.getWorkersCount(), queue.isPaused()]);
        return { counts, workers, paused };
      })
      .catch(() => ({ error: "redis unreachable" }));
  }
  const keeper = await keeperStatus(ctx).catch(() => ({ error: "rpc unreachable" }));
  return {
    config: configSummary(ctx.config),
    versions: versions(),
    queues,
    keeper,
  };
}
