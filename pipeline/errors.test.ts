import { describe, expect, test } from "vitest";
import { classifyStatus, httpError, isPermanent, parseRetryAfter, RateLimitedError, TransientError } from "./errors";

describe("error classification", () => {
  test("HTTP statuses map to their failure class", () => {
    expect(classifyStatus(429)).toBe("rate-limited");
    for (const status of [500, 502, 503, 504, 408]) expect(classifyStatus(status)).toBe("transient");
    for (const status of [400, 401, 403, 404, 422]) expect(classifyStatus(status)).toBe("permanent");
    expect(isPermanent(httpError("x", 401, null))).toBe(true);
    expect(httpError("x", 503, null)).toBeInstanceOf(TransientError);
    const limited = httpError("x", 429, "7");
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterMs).toBe(7_000);
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
