import { describe, expect, test } from "vitest";
import { providerLimiter } from "./provider-limiter";

const perMinute = (l: { max: number; duration: number }) => (l.max * 60_000) / l.duration;

describe("providerLimiter", () => {
  test("spreads Replicate's 600 creates a minute as one start every 100 ms", () => {
    expect(providerLimiter(600)).toEqual({ max: 1, duration: 100 });
  });

  test("never allows more than the configured rate, and stays within 1 % of it", () => {
    for (const rate of [1, 7, 50, 599, 600, 601, 900, 1_000, 3_000, 6_000, 59_999, 1_000_000]) {
      const limiter = providerLimiter(rate);
      expect(perMinute(limiter), `rate ${rate}`).toBeLessThanOrEqual(rate);
      expect(perMinute(limiter), `rate ${rate}`).toBeGreaterThan(rate * 0.99);
      expect(Number.isInteger(limiter.duration) && limiter.duration >= 1, `rate ${rate}`).toBe(true);
    }
  });

  test("without a configured rate, keeps a limiter that never binds (so a 429 still pauses every replica)", () => {
    const limiter = providerLimiter(0);
    expect(perMinute(limiter)).toBeGreaterThan(1_000_000_000);
    expect(limiter.max).toBeLessThan(Number.MAX_SAFE_INTEGER);
  });
});
