import { describe, expect, test } from "vitest";
import { roundDue } from "./round-due";

const now = Date.parse("2026-01-01T00:00:10Z");
const backlog = (count: number, oldestSecondsAgo: number | null) => ({
  count,
  oldestReadyAt: oldestSecondsAgo === null ? null : new Date(now - oldestSecondsAgo * 1000),
});
const base = { batchTokens: 144, waitSeconds: 5, now };

describe("roundDue", () => {
  test("sends one fresh token at once when nothing else is on its way: no batch wait", () => {
    expect(roundDue({ ...base, backlog: backlog(1, 0), upstream: 0 })).toEqual({ due: true, why: "nothing-upstream" });
  });

  test("waits for a fuller transaction only while more tokens are on their way", () => {
    expect(roundDue({ ...base, backlog: backlog(3, 2), upstream: 40 })).toEqual({ due: false, inMs: 3000 });
    expect(roundDue({ ...base, backlog: backlog(3, 5), upstream: 40 })).toEqual({ due: true, why: "waited" });
  });

  test("is due as soon as a full transaction is ready, however fresh and whatever is on its way", () => {
    expect(roundDue({ ...base, backlog: backlog(144, 0), upstream: 900 })).toEqual({ due: true, why: "full" });
    expect(roundDue({ ...base, backlog: backlog(143, 0), upstream: 900 }).due).toBe(false);
  });

  test("is never due with nothing ready", () => {
    for (const upstream of [0, 10]) {
      expect(roundDue({ ...base, backlog: backlog(0, null), upstream })).toEqual({
        due: false,
        inMs: Number.POSITIVE_INFINITY,
      });
    }
  });
});
