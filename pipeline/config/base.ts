/** Process, HTTP, storage and queue settings of the pipeline. */
import { z } from "zod";
import { int, optionalString } from "../../common/env";

export const baseEnv = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  HOST: z.string().default("127.0.0.1"),
  PORT: int(42070, { min: 1, max: 65535 }),
  /** The longest an HTTP request may take before it is answered 504 (and the connection cut). */
  REQUEST_TIMEOUT_MS: int(30_000, { min: 1_000, max: 600_000 }),
  /** Bearer token for everything under /admin; required when NODE_ENV=production. */
  ADMIN_API_TOKEN: optionalString(),
  /** Postgres for the `pipeline` schema; embedded PGlite in PIPELINE_DATA_DIR when unset. */
  DATABASE_URL: optionalString(),
  PIPELINE_DATA_DIR: z.string().default(".data/pipeline"),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, - and _ only")
    .default("glisk"),
  /** Where the indexer's HTTP API answers (for /health/indexer). */
  INDEXER_URL: z.string().default("http://127.0.0.1:42069"),
  /** The indexer is lagging (503) when it trails the chain head by more than this many blocks… */
  INDEXER_MAX_LAG_BLOCKS: int(30, { min: 1 }),
  /** …and its last indexed block is older than the head's by more than this. */
  INDEXER_MAX_LAG_SECONDS: int(60, { min: 1 }),
  /** How long health answers that ask the RPC or the indexer are reused. */
  HEALTH_CACHE_MS: int(2_000, { min: 0, max: 60_000 }),
});
