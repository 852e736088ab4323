/**
 * Ponder's schema lock after a crash. `ponder start` keeps a lock in `<schema>._ponder_meta` with a
 * heartbeat every 10 s, and a new start on the same schema waits until that heartbeat is 25 s old.
 * After a kill -9 (or an OOM kill) the restarted indexer therefore sat 15–25 s before it even
 * answered /health, while mints went unindexed.
 *
 * The supervisor knows its indexer process is gone. If Postgres also shows no session of any Ponder
 * process on that schema (Ponder names its pools `<schema>_internal`, `_user` and `_readonly`), no one
 * holds the lock and it is released before the restart, in one statement that checks both. A Ponder
 * still running on the schema (another host, a stuck process) keeps its lock, and the restart waits
 * as Ponder would.
 */
import pg from "pg";

export type ReleaseStaleLockParameters = {
  /** The indexer's Postgres (INDEXER_DATABASE_URL, else DATABASE_URL). */
  databaseUrl: string;
  /** The schema `ponder start` runs in (--schema). */
  schema: string;
  /** Looks again this many times, a second apart, while a session of the schema is still visible. */
  tries?: number;
};

export type ReleaseStaleLockReturnType = "released" | "not-locked" | "in-use";

const TIMEOUT_MS = 5_000;

async function releaseOnce(client: pg.Client, schema: string): Promise<ReleaseStaleLockReturnType> {
  const table = `${client.escapeIdentifier(schema)}."_ponder_meta"`;
  const sessions = [`${schema}_internal`, `${schema}_user`, `${schema}_readonly`];
  const released = await client.query(
    `UPDATE ${table} SET value = jsonb_set(value, '{is_locked}', to_jsonb(0))
      WHERE key = 'app' AND (value->>'is_locked')::int = 1
        AND NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = ANY($1::text[]))`,
    [sessions],
  );
  if (released.rowCount) return "released";
  const locked = await client.query(`SELECT 1 FROM ${table} WHERE key = 'app' AND (value->>'is_locked')::int = 1`);
  return locked.rowCount ? "in-use" : "not-locked";
}

/** Releases the lock of `schema` when no Ponder process is connected to it any more. */
export async function releaseStaleLock(p: ReleaseStaleLockParameters): Promise<ReleaseStaleLockReturnType> {
  const client = new pg.Client({
    connectionString: p.databaseUrl,
    connectionTimeoutMillis: TIMEOUT_MS,
    query_timeout: TIMEOUT_MS,
    application_name: "glisk_supervisor",
  });
  await client.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      const outcome = await releaseOnce(client, p.schema).catch((error: { code?: string }) => {
        // 42P01: no _ponder_meta yet (the schema's first start), so no lock either.
        if (error.code === "42P01" || error.code === "3F000") return "not-locked" as const;
        throw error;
      });
      // The dead process's backends may take a moment to notice their client is gone.
      if (outcome !== "in-use" || attempt >= (p.tries ?? 3)) return outcome;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  } finally {
    await client.end().catch(() => {});
  }
}
