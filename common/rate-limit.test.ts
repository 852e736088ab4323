import { Hono } from "hono";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { freePort, type Service, startRedis } from "../scripts/lib/processes";
import { ApiError, jsonErrorHandler } from "./http-errors";
import { consumeRateLimit, createRateLimit, rateLimit } from "./rate-limit";
import { requestConnection } from "./redis";

let redis: Service;
const connections: Redis[] = [];
const connect = (url: string) => {
  const connection = requestConnection(url);
  connection.on("error", () => {});
  connections.push(connection);
  return connection;
};
let prefix = "";
beforeAll(async () => {
  redis = await startRedis({ existingUrl: process.env.REDIS_URL });
  prefix = `rl-test-${process.pid}-${Date.now()}`;
});
afterAll(async () => {
  for (const c of connections) c.disconnect();
  await redis?.stop();
});

describe("rate limits", () => {
  test("two limiters on one Redis share the count; the refusal is a 429 ApiError with Retry-After", async () => {
    const params = { name: "ip", keyPrefix: prefix, points: 3, durationSeconds: 60 };
    const limited: string[] = [];
    const a = createRateLimit(connect(redis.url), { ...params, onLimited: (name) => limited.push(name) });
    const b = createRateLimit(connect(redis.url), params);
    await consumeRateLimit(a, "203.0.113.7");
    await consumeRateLimit(b, "203.0.113.7");
    await consumeRateLimit(a, "203.0.113.7");
    const refused = await consumeRateLimit(a, "203.0.113.7").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(429);
    expect((refused as ApiError).code).toBe("rate_limited");
    const retryAfter = Number((refused as ApiError).headers["Retry-After"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited).toEqual(["ip"]);
    // Another key has its own budget.
    await expect(consumeRateLimit(b, "198.51.100.1")).resolves.toBeUndefined();
  });

  test("with Redis unreachable the limit still holds, counted in this process's memory", async () => {
    const dead = connect(`redis://127.0.0.1:${await freePort()}`);
    const limit = createRateLimit(dead, { name: "ip", keyPrefix: prefix, points: 2, durationSeconds: 60 });
    const app = new Hono()
      .use(rateLimit(limit, () => "client"))
      .get("/", (c) => c.text("ok"))
      .onError(jsonErrorHandler({ error: () => {} }));
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await app.request("/")).status);
    expect(statuses).toEqual([200, 200, 429]);
    const refused = await app.request("/");
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await refused.json()).toMatchObject({ error: { code: "rate_limited" } });
  });
});
