import { describe, expect, test } from "vitest";
import { roundDue } from "./round-due";

const now = Date.parse("2026-01-01T00:00:10Z");
const backlog = (count: number, oldestSecondsAgo: number | null) => ({
  count,
  oldestReadyAt: oldestSecondsAgo === null ? null : new Date(now - oldestSecondsAgo * 1000),
});

describe("roundDue", () => {
  test("is due as soon as a full batch is ready, however fresh", () => {
    expect(roundDue({ backlog: backlog(50, 0), maxTokens: 50, waitSeconds: 5, now })).toEqual({ due: true });
  });

  test("waits for the oldest token's wait to run out when the batch is not full", () => {
    expect(roundDue({ backlog: backlog(3, 2), maxTokens: 50, waitSeconds: 5, now })).toEqual({
      due: false,
      inMs: 3000,
    });
    expect(roundDue({ backlog: backlog(3, 5), maxTokens: 50, waitSeconds: 5, now })).toEqual({ due: true });
  });

  test("is never due with nothing ready", () => {
    const verdict = roundDue({ backlog: backlog(0, null), maxTokens: 50, waitSeconds: 5, now });
    expect(verdict).toEqual({ due: false, inMs: Number.POSITIVE_INFINITY });
  });
});
