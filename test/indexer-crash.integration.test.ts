/**
 * Ponder's schema lock after the indexer is killed: `npm start -- indexer` restarts it, and the
 * restart must not wait out the dead run's lock (15-25 s without /health while mints go unindexed).
 * scripts/lib/ponder-lock.ts releases a lock no live Ponder holds, and keeps one that a connected
 * Ponder does. Needs TEST_DATABASE_URL (the lock lives in Postgres; PGlite is one process anyway).
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { anvilAccount, deployGlisk, waitFor } from "../scripts/lib/glisk";
import { releaseStaleLock } from "../scripts/lib/ponder-lock";
import { childRunning, freePort, type Service, signalGroup, startRedis } from "../scripts/lib/processes";
import { useAnvil, useDatabase } from "./helpers/services";

const anvil = useAnvil({ blockTime: 1 });
const database = useDatabase();
const root = path.resolve(import.meta.dirname, "..");
const run = Math.random().toString(36).slice(2, 8);

async function sql<T>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

describe.skipIf(!process.env.TEST_DATABASE_URL)("Ponder's schema lock after a crash", () => {
  const url = () => {
    const db = database();
    if (db.kind !== "postgres") throw new Error("needs Postgres");
    return db.url;
  };

  describe("releaseStaleLock", () => {
    const schema = `lock_${run}`;
    const lock = (locked: 0 | 1) =>
      sql(url(), `UPDATE "${schema}"._ponder_meta SET value = jsonb_set(value, '{is_locked}', to_jsonb($1::int))`, [
        locked,
      ]);
    const locked = async () =>
      (await sql<{ l: number }>(url(), `SELECT (value->>'is_locked')::int AS l FROM "${schema}"._ponder_meta`))[0]?.l;

    test("a schema Ponder never ran in has no lock", async () => {
      expect(await releaseStaleLock({ databaseUrl: url(), schema })).toBe("not-locked");
    });

    test("a lock whose Ponder is gone is released; one whose Ponder is connected is kept", async () => {
      await sql(url(), `CREATE SCHEMA "${schema}"`);
      await sql(url(), `CREATE TABLE "${schema}"._ponder_meta (key text PRIMARY KEY, value jsonb)`);
      await sql(url(), `INSERT INTO "${schema}"._ponder_meta VALUES ('app', '{"is_locked": 1, "heartbeat_at": 0}')`);
      // A live Ponder: a session with one of its pools' application names.
      const live = new pg.Client({ connectionString: url(), application_name: `${schema}_internal` });
      await live.connect();
      try {
        expect(await releaseStaleLock({ databaseUrl: url(), schema, tries: 1 })).toBe("in-use");
        expect(await locked()).toBe(1);
      } finally {
        await live.end();
      }
      await waitFor(
        async () =>
          (await sql(url(), "SELECT 1 FROM pg_stat_activity WHERE application_name = $1", [`${schema}_internal`]))
            .length === 0,
        { message: "the live session gone" },
      );
      expect(await releaseStaleLock({ databaseUrl: url(), schema })).toBe("released");
      expect(await locked()).toBe(0);
      await lock(0);
      expect(await releaseStaleLock({ databaseUrl: url(), schema })).toBe("not-locked");
    });
  });

  describe("npm start -- indexer, its ponder killed with SIGKILL", () => {
    let redis: Service;
    let supervisor: ChildProcess | undefined;
    /** What the supervisor printed since `watch()` (up to 1 MB). */
    let output: string | undefined;
    let port = 0;
    const ready = () =>
      fetch(`http://127.0.0.1:${port}/ready`).then(
        (r) => r.status === 200,
        () => false,
      );

    beforeAll(async () => {
      const { address, startBlock } = await deployGlisk({ rpcUrl: anvil().url, keeper: anvilAccount(1).address });
      redis = await startRedis();
      port = await freePort();
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: "production",
        PONDER_TELEMETRY_DISABLED: "true",
        GLISK_NETWORK: "anvil",
        PONDER_RPC_URL_31337: anvil().url,
        GLISK_CONTRACT_ADDRESS: address,
        GLISK_START_BLOCK: String(startBlock),
        INDEXER_DATABASE_URL: url(),
        REDIS_URL: redis.url,
        QUEUE_PREFIX: `crash${run}`,
        PONDER_SCHEMA: `crash_${run}`,
        PONDER_VIEWS_SCHEMA: `crash_views_${run}`,
        INDEXER_PORT: String(port),
      };
      supervisor = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts", "indexer"], {
        cwd: root,
        env,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
      const keep = (chunk: Buffer) => {
        if (output !== undefined && output.length < 1_000_000) output += chunk.toString();
      };
      supervisor.stdout?.on("data", keep);
      supervisor.stderr?.on("data", keep);
      await waitFor(ready, { timeoutMs: 120_000, intervalMs: 250, message: "the indexer ready" });
    }, 150_000);

    afterAll(async () => {
      if (supervisor && supervisor.exitCode === null) {
        const exited = new Promise((resolve) => supervisor?.once("exit", resolve));
        supervisor.kill("SIGTERM");
        const timer = setTimeout(() => supervisor && signalGroup(supervisor, "SIGKILL"), 20_000);
        await exited;
        clearTimeout(timer);
      }
      if (supervisor) signalGroup(supervisor, "SIGKILL");
      await redis?.stop();
    }, 30_000);

    test("the restart releases the dead run's lock and recovers at once instead of waiting it out", async () => {
      const ponder = childRunning(supervisor?.pid as number, "ponder.js");
      expect(ponder).toBeDefined();
      output = "";
      process.kill(ponder as number, "SIGKILL");
      await waitFor(async () => Boolean(output?.includes('"msg":"Started returning 200 responses"')) && ready(), {
        timeoutMs: 120_000,
        intervalMs: 250,
        message: "the indexer ready again",
      }).catch((error: Error) => {
        throw new Error(`${error.message}\n${output?.slice(-4_000)}`);
      });
      const after = output ?? "";
      expect(after).toMatch(/\[start\] indexer exited unexpectedly \(signal SIGKILL\)/);
      expect(after).toContain(`indexer: released the lock its previous run left on schema crash_${run}`);
      expect(after).toContain('"msg":"Detected crash recovery"');
      expect(after).not.toContain("Schema is locked by a different Ponder app");
    }, 150_000);
  });
});
