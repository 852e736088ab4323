import { describe, expect, test } from "vitest";
import { isRedisUnreachable } from "./redis";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("isRedisUnreachable", () => {
  test("a refused, dropped or loading server is unreachable", () => {
    expect(isRedisUnreachable(withCode("connect ECONNREFUSED 127.0.0.1:6379", "ECONNREFUSED"))).toBe(true);
    expect(isRedisUnreachable(withCode("read ECONNRESET", "ECONNRESET"))).toBe(true);
    expect(isRedisUnreachable(new Error("Connection is closed."))).toBe(true);
    const maxRetries = new Error("Reached the max retries per request limit (which is 1).");
    maxRetries.name = "MaxRetriesPerRequestError";
    expect(isRedisUnreachable(maxRetries)).toBe(true);
    expect(isRedisUnreachable(new Error("LOADING Redis is loading the dataset in memory"))).toBe(true);
  });

  test("a job whose lock or key vanished while Redis answered is not", () => {
    expect(isRedisUnreachable(new Error("could not renew lock for job gen-31337-9-0xe8"))).toBe(false);
    expect(isRedisUnreachable(new Error("Missing key for job gen-31337-36-0x1a. moveToDelayed"))).toBe(false);
    expect(isRedisUnreachable(new Error("Missing lock for job 7. moveToFinished"))).toBe(false);
    expect(isRedisUnreachable("ECONNREFUSED")).toBe(false);
  });
});
