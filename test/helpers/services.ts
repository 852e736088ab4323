/**
 * Per-file test services: one anvil, one redis-server and one isolated database for each test
 * file, started in `beforeAll` and stopped in `afterAll`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { type Service, startAnvil, startRedis } from "../../scripts/lib/processes";

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

export type TestDatabase = { kind: "pglite"; dir: string } | { kind: "postgres"; url: string };

/** A fresh database for a test file: a PGlite directory, or a new database on `TEST_DATABASE_URL`. */
export async function createTestDatabase(): Promise<TestDatabase & { drop: () => Promise<void> }> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const dir = mkdtempSync(path.join(tmpdir(), "glisk-pglite-"));
    return { kind: "pglite", dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `glisk_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    kind: "postgres",
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        // pg's pool.end() resolves before its sockets have closed; forcing the drop at once would kill
        // those backends and raise an unhandled 57P01 in the test process. Let them finish first.
        for (let tries = 0; tries < 40; tries++) {
          try {
            await client.query(`DROP DATABASE IF EXISTS ${name}`);
            return;
          } catch (error) {
            if ((error as { code?: string }).code !== "55006") throw error; // 55006: in use by other sessions
            await new Promise((r) => setTimeout(r, 50));
          }
        }
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** One isolated database for this test file, dropped after it. */
export function useDatabase(): () => TestDatabase {
  let db: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());
  return () => {
    if (!db) throw new Error("database is not created yet: call inside a test or hook");
    return db;
  };
}
