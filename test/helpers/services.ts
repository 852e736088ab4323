/**
 * Per-file test services: one anvil, one redis-server and one isolated database for each test
 * file, started in `beforeAll` and stopped in `afterAll`.
 */
import { afterAll, beforeAll } from "vitest";
import { type Service, startAnvil, startRedis } from "../../scripts/lib/processes";
import { createScratchDatabase, type ScratchDatabase } from "../../scripts/lib/scratch-database";

export type TestAnvil = Service & {
  /** Takes an EVM snapshot; pass the id to `revert`. */
  snapshot: () => Promise<`0x${string}`>;
  revert: (id: `0x${string}`) => Promise<void>;
  rpc: <T = unknown>(method: string, params?: unknown[]) => Promise<T>;
};

/** JSON-RPC call to a node, throwing its error message. */
export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** Starts anvil for this test file. */
export function useAnvil(options: { blockTime?: number } = {}): () => TestAnvil {
  let anvil: TestAnvil | undefined;
  beforeAll(async () => {
    const service = await startAnvil(options);
    const call = <T>(method: string, params?: unknown[]) => rpc<T>(service.url, method, params);
    anvil = {
      ...service,
      rpc: call,
      snapshot: () => call<`0x${string}`>("evm_snapshot"),
      revert: async (id) => {
        if (!(await call<boolean>("evm_revert", [id]))) throw new Error(`evm_revert ${id} failed`);
      },
    };
  });
  afterAll(async () => anvil?.stop());
  return () => {
    if (!anvil) throw new Error("anvil is not started yet: call inside a test or hook");
    return anvil;
  };
}

/** Starts redis-server for this test file, or uses `REDIS_URL` when set. */
export function useRedis(): () => Service {
  let redis: Service | undefined;
  beforeAll(async () => {
    redis = await startRedis({ existingUrl: process.env.REDIS_URL });
  });
  afterAll(async () => redis?.stop());
  return () => {
    if (!redis) throw new Error("redis is not started yet: call inside a test or hook");
    return redis;
  };
}

/** One isolated database for this test file, dropped after it. */
export function useDatabase(): () => ScratchDatabase {
  let db: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
  beforeAll(async () => {
    db = await createScratchDatabase();
  });
  afterAll(async () => db?.drop());
  return () => {
    if (!db) throw new Error("database is not created yet: call inside a test or hook");
    return db;
  };
}
