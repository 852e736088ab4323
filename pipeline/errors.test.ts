import { UnrecoverableError } from "bullmq";
import { describe, expect, test } from "vitest";
import { deadRpcUrl, RPC_KEY, rpcFailure } from "../test/helpers/rpc-failure";
import {
  ContentPolicyError,
  classifyStatus,
  describeError,
  httpError,
  isPermanent,
  parseRetryAfter,
  RateLimitedError,
  RetryableError,
  toJobError,
} from "./errors";

describe("error classification", () => {
  test("HTTP statuses map to their failure class", () => {
    expect(classifyStatus(429)).toBe("rate-limited");
    for (const status of [500, 502, 503, 504, 408]) expect(classifyStatus(status)).toBe("retryable");
    for (const status of [400, 401, 403, 404, 422]) expect(classifyStatus(status)).toBe("permanent");
    expect(isPermanent(httpError({ what: "x", status: 401 }))).toBe(true);
    expect(httpError({ what: "x", status: 503 })).toBeInstanceOf(RetryableError);
    const limited = httpError({ what: "x", status: 429, retryAfter: "7" });
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterMs).toBe(7_000);
    expect(limited).toBeInstanceOf(RetryableError);
  });

  test("at the BullMQ boundary a permanent error becomes unrecoverable and a retryable one stays retryable", () => {
    const refused = toJobError(new ContentPolicyError("nsfw"));
    expect(refused).toBeInstanceOf(UnrecoverableError);
    expect(refused.message).toBe("nsfw");
    expect(isPermanent(refused)).toBe(true);
    const retryable = new RetryableError("503");
    expect(toJobError(retryable)).toBe(retryable);
    expect(toJobError(new RateLimitedError("429", 1_000))).not.toBeInstanceOf(UnrecoverableError);
  });

  test("Retry-After in seconds or as an HTTP date", () => {
    expect(parseRetryAfter("2")).toBe(2_000);
    expect(parseRetryAfter("0.5")).toBe(500);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter(null)).toBe(10_000);
    expect(parseRetryAfter("soon")).toBe(10_000);
  });
});

describe("secrets inside error texts", () => {
  test("an RPC failure's description names what failed without the RPC URL's key", async () => {
    const error = await rpcFailure(await deadRpcUrl());
    expect(error.message).toContain(RPC_KEY); // viem's own message carries it
    const described = describeError(error);
    expect(described).toMatch(/^HttpRequestError: HTTP request failed/);
    expect(described).not.toContain(RPC_KEY);
  });

  test("the error handed to BullMQ (kept in Redis, shown in Bull Board) is the description, still retryable", async () => {
    const error = await rpcFailure(await deadRpcUrl());
    const queued = toJobError(error);
    expect(queued.message).toBe(describeError(error));
    expect(`${queued.message}${queued.stack}`).not.toContain(RPC_KEY);
    expect(isPermanent(queued)).toBe(false);
    const permanentError = new UnrecoverableError("bad prompt");
    expect(toJobError(permanentError)).toBe(permanentError);
  });
});
