import { describe, expect, test } from "vitest";
import { createLogger } from "../../common/logger";
import { outageLog } from "../../common/outage-log";
import type { Context } from "../context";
import { onWorkerError } from "./on-worker-error";

function harness() {
  const written: string[] = [];
  const logger = createLogger({ level: "info", destination: { write: (line: string) => written.push(line) } });
  const redis = outageLog({ logger, dependency: "redis", summaryMs: 3_600_000 });
  const outages = { redis, postgres: outageLog({ logger, dependency: "postgres" }) } as Context["outages"];
  const lines = () => written.map((line) => JSON.parse(line) as { level: number; msg: string; jobId?: string });
  return { lines, redis, handler: onWorkerError({ outages, logger }, "generate") };
}

describe("onWorkerError", () => {
  test("a job that lost its lock or key is said once per job, and Redis is not declared down", () => {
    const h = harness();
    for (let i = 0; i < 3; i++) h.handler(new Error("could not renew lock for job gen-1-7-0xab"));
    h.handler(new Error("Missing key for job gen-1-7-0xab. moveToFinished"));
    h.handler(new Error("Missing key for job gen-1-8-0xab. moveToDelayed"));
    expect(h.redis.down()).toBe(false);
    expect(h.lines().map((l) => [l.level, l.jobId])).toEqual([
      [40, "gen-1-7-0xab"],
      [40, "gen-1-8-0xab"],
    ]);
  });

  test("a connection error starts an outage, which then takes every error, the jobs' too", () => {
    const h = harness();
    h.handler(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), { code: "ECONNREFUSED" }));
    h.handler(new Error("could not renew lock for job gen-1-9-0xab"));
    expect(h.redis.down()).toBe(true);
    expect(h.lines().map((l) => l.msg)).toEqual(["redis unreachable"]);
  });
});
