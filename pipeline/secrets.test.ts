import { UnrecoverableError } from "bullmq";
import { createPublicClient, http } from "viem";
import { describe, expect, test } from "vitest";
import { freePort } from "../scripts/lib/processes";
import { parseConfig } from "./config";
import { describeError, forQueue, isPermanent } from "./errors";
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

describe("secrets inside error texts", () => {
  test("an RPC failure's description names what failed without the RPC URL's key", async () => {
    const error = await rpcFailure(`http://127.0.0.1:${await freePort()}/v2/${RPC_KEY}`);
    expect(error.message).toContain(RPC_KEY); // viem's own message carries it
    const described = describeError(error);
    expect(described).toMatch(/^HttpRequestError: HTTP request failed/);
    expect(described).not.toContain(RPC_KEY);
  });

  test("the error handed to BullMQ (kept in Redis, shown in Bull Board) is the description, still retryable", async () => {
    const error = await rpcFailure(`http://127.0.0.1:${await freePort()}/v2/${RPC_KEY}`);
    const queued = forQueue(error);
    expect(queued.message).toBe(describeError(error));
    expect(`${queued.message}${queued.stack}`).not.toContain(RPC_KEY);
    expect(isPermanent(queued)).toBe(false);
    const permanentError = new UnrecoverableError("bad prompt");
    expect(forQueue(permanentError)).toBe(permanentError);
  });

  test("log lines lose every configured secret, in messages and fields alike", async () => {
    const rpcUrl = `http://127.0.0.1:${await freePort()}/v2/${RPC_KEY}`;
    const config = parseConfig({ GLISK_NETWORK: "base", PONDER_RPC_URL_8453: rpcUrl, PINATA_JWT: JWT });
    const lines: string[] = [];
    const log = createLogger("info", "pipeline", secretValues(config), { write: (s: string) => lines.push(s) });
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
    const config = parseConfig({ GLISK_NETWORK: "base", PONDER_RPC_URL_8453: "https://mainnet.base.org" });
    expect(secretValues(config)).toEqual([]);
    expect(scrubber(["abc"])("abc")).toBe("[redacted]");
    const withRedis = parseConfig({
      GLISK_NETWORK: "base",
      PONDER_RPC_URL_8453: "https://mainnet.base.org",
      REDIS_URL: "redis://:s3cret-redis-pass@redis:6379",
    });
    expect(secretValues(withRedis)).toEqual(["s3cret-redis-pass"]);
  });
});
