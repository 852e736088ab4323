/** Process, HTTP, storage and queue settings of the pipeline. */
import { z } from "zod";
import { int, optionalString } from "../../common/env";

export const baseEnv = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  HOST: z.string().default("127.0.0.1"),
  PORT: int(42070, { min: 1, max: 65535 }),
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
});
