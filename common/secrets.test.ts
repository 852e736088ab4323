import { describe, expect, test } from "vitest";
import { deadRpcUrl, RPC_KEY, rpcFailure } from "../test/helpers/rpc-failure";
import { createLogger } from "./logger";
import { scrubber } from "./scrubber";
import { maskUrl, secretValues, secretValuesOfEnv } from "./secrets";

const JWT = "eyJhbGciOiJIUzI1NiJ9.pinata-jwt-body.signature";

describe("secrets in log lines", () => {
  test("log lines lose every configured secret, in messages and fields alike", async () => {
    const rpcUrl = await deadRpcUrl();
    const config = { REDIS_URL: "redis://127.0.0.1:6379", network: { rpcUrl }, PINATA_JWT: JWT };
    const lines: string[] = [];
    const log = createLogger({
      level: "info",
      secrets: secretValues(config),
      destination: { write: (s: string) => lines.push(s) },
    });
    const error = await rpcFailure(rpcUrl);
    log.warn({ err: error.message }, error.message);
    log.info({ detail: `upload refused for Bearer ${JWT}` }, "pin failed");
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).not.toContain(RPC_KEY);
      expect(line).not.toContain(JWT);
    }
    expect(lines.join("")).toContain("[redacted]");
  });

  test("a public RPC URL and short values are not treated as secrets", () => {
    const network = { rpcUrl: "https://mainnet.base.org" };
    const config = { REDIS_URL: "redis://127.0.0.1:6379", network };
    expect(secretValues(config)).toEqual([]);
    expect(scrubber(["abc"])("abc")).toBe("[redacted]");
    const withRedis = { REDIS_URL: "redis://:s3cret-redis-pass@redis:6379", network };
    expect(secretValues(withRedis)).toEqual(["s3cret-redis-pass"]);
  });

  test("the X client secret and the Farcaster RPC key are secrets too", () => {
    const config = {
      REDIS_URL: "redis://127.0.0.1:6379",
      network: { rpcUrl: "https://mainnet.base.org" },
      X_CLIENT_SECRET: "x-client-secret-value",
      FARCASTER_RPC_URL: `https://opt-mainnet.example/v2/${RPC_KEY}`,
    };
    const values = secretValues(config);
    expect(values).toContain("x-client-secret-value");
    expect(values).toContain(`/v2/${RPC_KEY}`);
  });
});

describe("secrets from a raw environment", () => {
  test("RPC URL keys, database and Redis passwords and secret variables, never public values", () => {
    const values = secretValuesOfEnv({
      PONDER_RPC_URL_8453: "https://base.example/v2/abcdef123456",
      INDEXER_DATABASE_URL: "postgres://glisk_indexer:ix-pass-1234@db/glisk",
      REDIS_URL: "redis://:redis-pass-1234@redis:6379",
      ADMIN_API_TOKEN: "admin-token-0123456789",
      PONDER_RPC_URL_31337: "http://127.0.0.1:8545",
      GLISK_NETWORK: "base",
    });
    expect(values).toEqual(
      expect.arrayContaining([
        "https://base.example/v2/abcdef123456",
        "/v2/abcdef123456",
        "postgres://glisk_indexer:ix-pass-1234@db/glisk",
        "ix-pass-1234",
        "redis-pass-1234",
        "admin-token-0123456789",
      ]),
    );
    expect(values.some((v) => v.includes("127.0.0.1:8545") || v === "base")).toBe(false);
  });

  test("masked URLs keep the host and drop credentials, path and query", () => {
    expect(maskUrl("https://user:pw@base.example:8443/v2/key?x=1")).toBe("https://base.example:8443/…");
    expect(maskUrl("http://127.0.0.1:8545")).toBe("http://127.0.0.1:8545");
  });
});
