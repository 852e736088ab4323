/**
 * A pipeline context and running operations server against real anvil, Redis and a fresh database,
 * for the server and CLI tests. Workers are not started: tests drive the database and queues directly.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createLogger } from "../../common/logger";
import { type Config, parseConfig } from "../../pipeline/config";
import { type Context, createContext } from "../../pipeline/context";
import { recordDetected } from "../../pipeline/db/tokens";
import { type RunningServer, startServer } from "../../pipeline/server";
import { anvilAccount, deployGlisk, mint } from "../../scripts/lib/glisk";
import { freePort } from "../../scripts/lib/processes";
import { createScratchDatabase } from "../../scripts/lib/scratch-database";
import { useAnvil, useRedis } from "./services";

export const ADMIN_TOKEN = "test-admin-token-0123456789abcdef";

/** The env a parsed config came from, for building a variant of it in a test. */
export function configEnv(config: Config): Record<string, string> {
  const env: Record<string, string> = {
    NODE_ENV: config.NODE_ENV,
    LOG_LEVEL: "silent",
    QUEUE_PREFIX: config.QUEUE_PREFIX,
    INDEXER_URL: config.INDEXER_URL,
    GLISK_NETWORK: "anvil",
    PONDER_RPC_URL_31337: config.network.rpcUrl,
    GLISK_CONTRACT_ADDRESS: config.network.address,
    GLISK_START_BLOCK: String(config.network.startBlock),
    IPFS_DATA_DIR: config.IPFS_DATA_DIR,
    REDIS_URL: config.REDIS_URL,
  };
  if (config.ADMIN_API_TOKEN) env.ADMIN_API_TOKEN = config.ADMIN_API_TOKEN;
  if (config.KEEPER_PRIVATE_KEY) env.KEEPER_PRIVATE_KEY = config.KEEPER_PRIVATE_KEY;
  return env;
}

export type Harness = {
  ctx: Context;
  /** The environment the server's config was parsed from. */
  env: Record<string, string>;
  server: RunningServer;
  rpcUrl: string;
  contract: `0x${string}`;
  ipfsDir: string;
  /** fetch against the server; `token: false` sends no Authorization header; a body is sent as JSON. */
  call: (pathname: string, init?: RequestInit & { token?: string | false }) => Promise<Response>;
};

/**
 * Starts anvil, Redis, a database and the server for this test file. `extraEnv` may be a function,
 * called once anvil is up (and after earlier `beforeAll` hooks, such as ones starting fakes).
 */
export function useServer(
  extraEnv: Record<string, string> | ((services: { rpcUrl: string }) => Record<string, string>) = {},
): () => Harness {
  const anvil = useAnvil();
  const redis = useRedis();
  let harness: Harness | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const keeper = anvilAccount(1);
    const { address, startBlock } = await deployGlisk({ rpcUrl: anvil().url, keeper: keeper.address });
    const db = await createScratchDatabase();
    const ipfsDir = mkdtempSync(path.join(tmpdir(), "glisk-ipfs-"));
    const keeperKey = keeper.getHdKey().privateKey;
    if (!keeperKey) throw new Error("no key for anvil account 1");
    const env: Record<string, string> = {
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      HOST: "127.0.0.1",
      PORT: String(await freePort()),
      ADMIN_API_TOKEN: ADMIN_TOKEN,
      REDIS_URL: redis().url,
      QUEUE_PREFIX: `t${process.pid}${Math.random().toString(36).slice(2, 8)}`,
      INDEXER_URL: `http://127.0.0.1:${await freePort()}`,
      GLISK_NETWORK: "anvil",
      PONDER_RPC_URL_31337: anvil().url,
      GLISK_CONTRACT_ADDRESS: address,
      GLISK_START_BLOCK: String(startBlock),
      IPFS_DATA_DIR: ipfsDir,
      KEEPER_PRIVATE_KEY: `0x${Buffer.from(keeperKey).toString("hex")}`,
      ...(db.kind === "postgres" ? { DATABASE_URL: db.url } : { PIPELINE_DATA_DIR: db.dir }),
      ...(typeof extraEnv === "function" ? extraEnv({ rpcUrl: anvil().url }) : extraEnv),
    };
    const config = parseConfig(env);
    const ctx = await createContext(config, { logger: createLogger({ level: "silent" }) });
    const server = await startServer(ctx);
    harness = {
      ctx,
      env,
      server,
      rpcUrl: anvil().url,
      contract: address,
      ipfsDir,
      call: (pathname, { token = ADMIN_TOKEN, headers, ...init } = {}) =>
        fetch(`${server.url}${pathname}`, {
          ...init,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
            ...(headers as Record<string, string>),
          },
        }),
    };
    cleanup = async () => {
      await server.close();
      await Promise.all(Object.values(ctx.queues).map((q) => q.obliterate({ force: true }).catch(() => {})));
      await ctx.close();
      await db.drop();
      rmSync(ipfsDir, { recursive: true, force: true });
    };
  });
  afterAll(async () => cleanup?.());
  return () => {
    if (!harness) throw new Error("server is not started yet: call inside a test or hook");
    return harness;
  };
}

/** Mints `quantity` tokens for `author` and records them as detected, as the indexer would. */
export async function mintDetected(h: Harness, p: { author: `0x${string}`; quantity: number }): Promise<string[]> {
  const minted = await mint({ rpcUrl: h.rpcUrl, address: h.contract, author: p.author, quantity: p.quantity });
  for (const id of minted.tokenIds) {
    await recordDetected(h.ctx.db, {
      chainId: 31337,
      tokenId: id.toString(),
      mintTxHash: minted.txHash,
      mintBlockNumber: Number(minted.blockNumber),
      minter: anvilAccount(2).address,
      author: p.author,
    });
  }
  return minted.tokenIds.map(String);
}

export type Variant = { ctx: Context; server: RunningServer; close: () => Promise<void> };

/**
 * Another server on the harness's database and Redis, its environment changed by `env`: a variant
 * configuration, or a second replica. Stop it with `close`.
 */
export async function startVariant(h: Harness, env: Record<string, string> = {}): Promise<Variant> {
  const config = parseConfig({ ...h.env, PORT: String(await freePort()), ...env });
  const ctx = await createContext(config, { db: h.ctx.db, logger: createLogger({ level: "silent" }) });
  const server = await startServer(ctx);
  return {
    ctx,
    server,
    close: async () => {
      await server.close();
      await ctx.close();
    },
  };
}
