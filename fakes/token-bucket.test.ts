import { describe, expect, test } from "vitest";
import { createTokenBucket } from "./token-bucket";

describe("createTokenBucket", () => {
  test("lets a full bucket's burst through, then one every 1/rate seconds, saying how long to wait", () => {
    let now = 0;
    const bucket = createTokenBucket(() => now);
    const limit = { perMinute: 600, burst: 10 };
    for (let i = 0; i < 10; i++) expect(bucket.take(limit)).toBeUndefined();
    expect(bucket.take(limit)).toBe(1);
    now += 100;
    expect(bucket.take(limit)).toBeUndefined();
    expect(bucket.take(limit)).toBe(1);
    now += 10_000;
    for (let i = 0; i < 10; i++) expect(bucket.take(limit)).toBeUndefined();
    expect(bucket.take(limit)).toBe(1);
  });

  test("waits longer than a second at a slow rate, and never limits at 0", () => {
    let now = 0;
    const bucket = createTokenBucket(() => now);
    expect(bucket.take({ perMinute: 6 })).toBeUndefined();
    expect(bucket.take({ perMinute: 6 })).toBe(10);
    now += 5_000;
    expect(bucket.take({ perMinute: 6 })).toBe(5);
    for (let i = 0; i < 100; i++) expect(bucket.take({ perMinute: 0 })).toBeUndefined();
  });
});
