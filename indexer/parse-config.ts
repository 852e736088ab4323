/** The indexer's environment variables: zod schema and the parser `indexer/config.ts` applies once. */
import { z } from "zod";
import { int, optionalString } from "../common/env";
import { type Network, resolveNetwork } from "../common/network";

export const indexerEnv = z.object({
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Postgres for Ponder's tables; embedded PGlite in PONDER_PGLITE_DIR when unset. */
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
});

export type IndexerConfig = Omit<
  z.infer<typeof indexerEnv>,
  "PONDER_POLLING_INTERVAL_MS" | "PONDER_GET_LOGS_BLOCK_RANGE"
> & {
  network: Network;
  pollingIntervalMs: number;
  getLogsBlockRange: number | undefined;
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
  const { PONDER_POLLING_INTERVAL_MS: polling, PONDER_GET_LOGS_BLOCK_RANGE: range, ...rest } = parsed.data;
  return {
    ...rest,
    network,
    pollingIntervalMs: polling || (network.chainId === 31337 ? 200 : 1_000),
    getLogsBlockRange: range || undefined,
  };
}
