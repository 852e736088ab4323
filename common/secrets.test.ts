import { describe, expect, test } from "vitest";
import { deadRpcUrl, RPC_KEY, rpcFailure } from "../test/helpers/rpc-failure";
import { createLogger, scrubber } from "./logger";
import { secretValues } from "./secrets";

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
});
