import { createPublicClient, http } from "viem";
import { describe, expect, test } from "vitest";
import { freePort } from "../scripts/lib/processes";
import { createLogger, scrubber } from "./logger";
import { secretValues } from "./secrets";

const RPC_KEY = "k3y-0f-the-rpc-provider-a1b2c3";
const JWT = "eyJhbGciOiJIUzI1NiJ9.pinata-jwt-body.signature";

async function rpcFailure(rpcUrl: string): Promise<Error> {
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0 }) });
  return client.getBlockNumber().then(
    () => {
      throw new Error("expected the RPC call to fail");
    },
    (error: Error) => error,
  );
}

describe("secrets in log lines", () => {
  test("log lines lose every configured secret, in messages and fields alike", async () => {
    const rpcUrl = `http://127.0.0.1:${await freePort()}/v2/${RPC_KEY}`;
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
