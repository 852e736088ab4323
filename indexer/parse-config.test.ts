import { describe, expect, test } from "vitest";
import { parseIndexerConfig } from "./parse-config";

const anvil = { GLISK_CONTRACT_ADDRESS: "0x5fbdb2315678afecb367f032d93f642f64180aa3", GLISK_START_BLOCK: "7" };

describe("parseIndexerConfig", () => {
  test("defaults: PGlite in .ponder/pglite, local Redis, 200 ms polling on anvil", () => {
    const config = parseIndexerConfig(anvil);
    expect(config.databaseUrl).toBeUndefined();
    expect(config).toMatchObject({
      PONDER_PGLITE_DIR: ".ponder/pglite",
      REDIS_URL: "redis://127.0.0.1:6379",
      QUEUE_PREFIX: "glisk",
      pollingIntervalMs: 200,
      getLogsBlockRange: undefined,
    });
    expect(config.network).toMatchObject({ chainId: 31337, startBlock: 7, rpcUrl: "http://127.0.0.1:8545" });
  });

  test("Base presets with the RPC from PONDER_RPC_URL_8453 and 1 s polling", () => {
    const config = parseIndexerConfig({
      GLISK_NETWORK: "base",
      PONDER_RPC_URL_8453: "https://base.example",
      PONDER_GET_LOGS_BLOCK_RANGE: "10000",
    });
    expect(config.network).toMatchObject({
      chainId: 8453,
      address: "0xb43185E67D4Fb27115AC419C9F8A335cC0B837B9",
      startBlock: 37432871,
    });
    expect(config).toMatchObject({ pollingIntervalMs: 1_000, getLogsBlockRange: 10_000 });
  });

  test("SQL over HTTP and any-origin CORS are on in development, off in production unless set", () => {
    expect(parseIndexerConfig(anvil)).toMatchObject({ sqlEnabled: true, corsOrigins: ["*"] });
    const production = { ...anvil, NODE_ENV: "production" };
    expect(parseIndexerConfig(production)).toMatchObject({ sqlEnabled: false, corsOrigins: [] });
    expect(
      parseIndexerConfig({
        ...production,
        INDEXER_SQL_ENABLED: "true",
        INDEXER_CORS_ORIGINS: "https://a.example, https://b.example",
      }),
    ).toMatchObject({ sqlEnabled: true, corsOrigins: ["https://a.example", "https://b.example"] });
    expect(() => parseIndexerConfig({ ...anvil, INDEXER_SQL_ENABLED: "maybe" })).toThrow(/INDEXER_SQL_ENABLED/);
  });

  test("the indexer's own database role wins over the shared DATABASE_URL", () => {
    const config = parseIndexerConfig({
      ...anvil,
      DATABASE_URL: "postgres://pipeline@db/glisk",
      INDEXER_DATABASE_URL: "postgres://indexer@db/glisk",
    });
    expect(config.databaseUrl).toBe("postgres://indexer@db/glisk");
    expect(parseIndexerConfig({ ...anvil, DATABASE_URL: "postgres://x@db/glisk" }).databaseUrl).toBe(
      "postgres://x@db/glisk",
    );
  });

  test("lists every problem at once", () => {
    expect(() =>
      parseIndexerConfig({ GLISK_NETWORK: "base", QUEUE_PREFIX: "a:b", PONDER_POLLING_INTERVAL_MS: "x" }),
    ).toThrow(/QUEUE_PREFIX[\s\S]*PONDER_POLLING_INTERVAL_MS[\s\S]*PONDER_RPC_URL_8453/);
  });
});
