/**
 * The pipeline's own database: the `pipeline` schema on Postgres when DATABASE_URL is set, else an
 * embedded PGlite directory. Same code and migrations on both.
 */
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PGliteDialect, PostgresDialect, sql } from "kysely";
import { type MigrationProvider, Migrator } from "kysely/migration";
import pg from "pg";
import { keepWasmBaseline, PGLITE_SETTINGS } from "../../common/pglite-memory";
import * as initial from "./migrations/0001_initial";
import * as imagePinnedAt from "./migrations/0002_image_pinned_at";
import * as authorLinks from "./migrations/0003_author_links";
import * as deployment from "./migrations/0004_deployment";
import type { Database } from "./schema";

export const SCHEMA = "pipeline";

/** Migrations in order; append new files here, never edit a released one. */
const migrations: MigrationProvider = {
  getMigrations: async () => ({
    "0001_initial": initial,
    "0002_image_pinned_at": imagePinnedAt,
    "0003_author_links": authorLinks,
    "0004_deployment": deployment,
  }),
};

export type DatabaseOptions = {
  url?: string;
  dataDir?: string;
  /** Connections to Postgres (default 10); PGlite always has one. */
  poolSize?: number;
  /**
   * The Postgres pool's connection events. An idle connection that the server drops (a restart, a
   * failover) is reported here instead of crashing the process with an unhandled 'error'; the next
   * query opens a new connection.
   */
  events?: { error: (error: Error) => void; connect: () => void };
};
export type Db = Kysely<Database>;

// int8 as a JS number on both drivers (block numbers and ids fit); numeric stays a string.
const pgTypes = {
  getTypeParser: (oid: number, format?: "text" | "binary") =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as "text"),
};

/** Opens the database (without migrating). Call `db.destroy()` to close it. */
export function openDatabase(options: DatabaseOptions): Db {
  if (options.url) {
    const max = options.poolSize ?? 10;
    const pool = new pg.Pool({ connectionString: options.url, max, types: pgTypes as pg.CustomTypesConfig });
    pool.on("error", (error) => options.events?.error(error));
    pool.on("connect", (client) => {
      // A connection that breaks while checked out also emits on the client: handled by its query.
      client.on("error", (error) => options.events?.error(error));
      options.events?.connect();
    });
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }).withSchema(SCHEMA);
  }
  const dir = options.dataDir ?? ".data/pipeline";
  if (dir !== "memory://") mkdirSync(dir, { recursive: true });
  keepWasmBaseline();
  const pglite = new PGlite(dir, { startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS] });
  return new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) }).withSchema(SCHEMA);
}

/**
 * Creates the schema when it is missing and runs every pending migration; throws on the first
 * failure. A schema that exists (created by an administrator for the pipeline's role,
 * docker/postgres/roles.sql) is used as it is: CREATE SCHEMA IF NOT EXISTS would need the CREATE
 * privilege on the database, which that role does not have.
 */
export async function migrate(db: Db): Promise<void> {
  const { rows } = await sql<{ found: number }>`select 1 as found from pg_namespace where nspname = ${SCHEMA}`.execute(
    db,
  );
  if (rows.length === 0) await sql`create schema if not exists ${sql.id(SCHEMA)}`.execute(db);
  const migrator = new Migrator({
    db,
    provider: migrations,
    migrationTableSchema: SCHEMA,
    // Migrations are numbered when written, and branches land in any order (0004 may run before 0003):
    // each one stands alone, so a database that ran a later number still takes an earlier one.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    throw new Error(`pipeline migration ${failed?.migrationName ?? ""} failed: ${(error as Error)?.message ?? error}`, {
      cause: error,
    });
  }
}

/** Resolves when the database answers a trivial query. */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}

/** Opens and migrates the database. */
export async function createDatabase(options: DatabaseOptions): Promise<Db> {
  const db = openDatabase(options);
  await migrate(db);
  return db;
}
