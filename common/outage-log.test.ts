import { afterEach, describe, expect, test, vi } from "vitest";
import { createLogger } from "./logger";
import { outageLog } from "./outage-log";

afterEach(() => vi.useRealTimers());

type Line = { level: number; msg: string } & Record<string, unknown>;
const LEVELS: Record<number, string> = { 30: "info", 40: "warn", 50: "error" };

describe("outageLog", () => {
  test("one error line, a summary per period while down, one line when back", () => {
    vi.useFakeTimers();
    const written: string[] = [];
    const logger = createLogger({ level: "info", destination: { write: (line: string) => written.push(line) } });
    const log = outageLog({ logger, dependency: "redis", summaryMs: 1_000 });
    const lines = () => written.map((line) => JSON.parse(line) as Line);
    log.ok();
    expect(written).toEqual([]);
    for (let i = 0; i < 60; i++) log.failed(new Error("connect ECONNREFUSED"));
    expect(log.down()).toBe(true);
    vi.advanceTimersByTime(2_500);
    log.failed(new Error("connect ECONNREFUSED"));
    log.ok();
    log.ok();
    expect(lines().map((l) => `${LEVELS[l.level]} ${l.msg}`)).toEqual([
      "error redis unreachable",
      "warn redis still unreachable",
      "warn redis still unreachable",
      "info redis reachable again",
    ]);
    expect(lines()[1]).toMatchObject({ failures: 59 });
    expect(lines()[3]).toMatchObject({ failures: 61, downSeconds: 3 });
    expect(log.down()).toBe(false);
  });
});
