/** Throwaway databases for the tests and the benchmarks. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";

export type ScratchDatabase = { kind: "pglite"; dir: string } | { kind: "postgres"; url: string };

/**
 * A fresh database for a test file or a benchmark run: a PGlite directory, or a new database on the
 * Postgres server at `TEST_DATABASE_URL`. `drop()` removes it.
 */
export async function createScratchDatabase(): Promise<ScratchDatabase & { drop: () => Promise<void> }> {
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
