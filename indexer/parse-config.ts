/** The indexer's environment variables: zod schema and the parser `indexer/config.ts` applies once. */
import { z } from "zod";
import { int, optionalBool, optionalList, optionalString } from "../common/env";
import { type Network, resolveNetwork } from "../common/network";

export const indexerEnv = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /**
   * Postgres for Ponder's tables, as the indexer's own role (no privilege on the pipeline's schema);
   * DATABASE_URL when unset; embedded PGlite in PONDER_PGLITE_DIR when neither is set.
   */
  INDEXER_DATABASE_URL: optionalString(),
  DATABASE_URL: optionalString(),
  /** PGlite is single-process: every indexer process needs its own directory. */
  PONDER_PGLITE_DIR: optionalString().transform((v) => v ?? ".ponder/pglite"),
  REDIS_URL: optionalString().transform((v) => v ?? "redis://127.0.0.1:6379"),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, - and _ only")
    .default("glisk"),
  /** How often Ponder polls for new blocks; 0 picks 200 ms on anvil (1 s blocks) and 1 s elsewhere. */
  PONDER_POLLING_INTERVAL_MS: int(0, { max: 60_000 }),
  /** Fixed eth_getLogs block range for providers that cap it; 0 lets Ponder infer it from RPC errors. */
  PONDER_GET_LOGS_BLOCK_RANGE: int(0),
  /** Ponder's SQL over HTTP (`/sql/*`, for @ponder/client); default on, except in production. */
  INDEXER_SQL_ENABLED: optionalBool(),
  /** Browser origins allowed to read the indexer's API (`*`: any); default any, except in production (none). */
  INDEXER_CORS_ORIGINS: optionalList(),
  /** How long the indexer waits for one RPC request before retrying it (Ponder's own default is 10 s). */
  RPC_TIMEOUT_MS: int(5_000, { min: 500, max: 60_000 }),
  /** The indexer counts as lagging when it trails the head by more than this many blocks and seconds. */
  INDEXER_MAX_LAG_BLOCKS: int(30, { min: 1 }),
  INDEXER_MAX_LAG_SECONDS: int(60, { min: 1 }),
  /** npm start and npm run dev restart an indexer that has been lagging or silent this long (0: never). */
  INDEXER_STALL_RESTART_SECONDS: int(180, { min: 0 }),
  /** The longest a request to the indexer's API may take before it is answered 504. */
  REQUEST_TIMEOUT_MS: int(30_000, { min: 1_000, max: 600_000 }),
  /** Requests per client IP per window on GraphQL, SQL and the JSON routes, shared by every replica. */
  INDEXER_RATE_LIMIT_PER_IP: int(600, { min: 1 }),
  INDEXER_RATE_LIMIT_WINDOW_SECONDS: int(60, { min: 1, max: 86_400 }),
  /** Proxies in front of the indexer that append to X-Forwarded-For; 0 uses the socket address. */
  TRUST_PROXY_HOPS: int(0, { max: 10 }),
  /** Deepest GraphQL selection accepted (every field counts, `items` included). */
  GRAPHQL_MAX_DEPTH: int(12, { min: 3, max: 100 }),
  /** Most rows one GraphQL request may make Ponder read (nested pages multiply: graphql-cost.ts). */
  GRAPHQL_MAX_ROWS: int(10_000, { min: 100, max: 10_000_000 }),
});

export type IndexerConfig = Omit<
  z.infer<typeof indexerEnv>,
  "PONDER_POLLING_INTERVAL_MS" | "PONDER_GET_LOGS_BLOCK_RANGE" | "INDEXER_SQL_ENABLED" | "INDEXER_CORS_ORIGINS"
> & {
  network: Network;
  /** The Postgres Ponder uses (INDEXER_DATABASE_URL, else DATABASE_URL), or undefined for PGlite. */
  databaseUrl: string | undefined;
  pollingIntervalMs: number;
  getLogsBlockRange: number | undefined;
  sqlEnabled: boolean;
  corsOrigins: string[];
};

/** Parses `env` into the indexer config or throws an Error listing every problem. */
export function parseIndexerConfig(env: Record<string, string | undefined>): IndexerConfig {
  const problems: string[] = [];
  const parsed = indexerEnv.safeParse(env);
  if (!parsed.success) problems.push(...parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  let network: Network | undefined;
  try {
    network = resolveNetwork(env);
  } catch (error) {
    const lines = (error as Error).message.replace(/^Invalid network configuration:\n/, "").split("\n");
    problems.push(...lines.map((l) => l.replace(/^- /, "")));
  }
  if (!parsed.success || !network) throw new Error(`Invalid indexer configuration:\n- ${problems.join("\n- ")}`);
  const {
    PONDER_POLLING_INTERVAL_MS: polling,
    PONDER_GET_LOGS_BLOCK_RANGE: range,
    INDEXER_SQL_ENABLED: sql,
    INDEXER_CORS_ORIGINS: cors,
    ...rest
  } = parsed.data;
  const production = rest.NODE_ENV === "production";
  return {
    ...rest,
    network,
    databaseUrl: rest.INDEXER_DATABASE_URL ?? rest.DATABASE_URL,
    pollingIntervalMs: polling || (network.chainId === 31337 ? 200 : 1_000),
    getLogsBlockRange: range || undefined,
    sqlEnabled: sql ?? !production,
    corsOrigins: cors ?? (production ? [] : ["*"]),
  };
}
