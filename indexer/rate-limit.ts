/**
 * The indexer's per-IP rate limit on every route of ours (GraphQL, SQL, the JSON routes), counted
 * in Redis with the pipeline's limiter (`common/rate-limit.ts`) so that replicas share one budget.
 * Ponder answers `/health`, `/ready`, `/status`, `/metrics` and CORS preflights before our middleware
 * runs; docs/security.md says how those are contained.
 */
import type { MiddlewareHandler } from "hono";
import type { Redis } from "ioredis";
import { clientIp } from "../common/client-ip";
import { createRateLimit, type RateLimit, rateLimit } from "../common/rate-limit";
import { requestConnection } from "../common/redis";
import { config } from "./config";
import { logger } from "./logger";

type Limiter = { key: string; redis: Redis; limit: RateLimit };
// `ponder dev` re-evaluates the API module on every reload; the connection lives on globalThis so a
// reload reuses it instead of leaking one.
const slot = Symbol.for("glisk.indexer.rateLimit");
const store = globalThis as typeof globalThis & { [slot]?: Limiter };

function limiter(): Limiter {
  const key = [
    config.REDIS_URL,
    config.QUEUE_PREFIX,
    config.INDEXER_RATE_LIMIT_PER_IP,
    config.INDEXER_RATE_LIMIT_WINDOW_SECONDS,
  ].join("\n");
  const current = store[slot];
  if (current?.key === key) return current;
  current?.redis.disconnect();
  const redis = requestConnection(config.REDIS_URL);
  // While Redis is away the limiter counts in memory (see common/rate-limit.ts); the outage itself is
  // logged by the generate producer, so this connection stays quiet.
  redis.on("error", (error) => logger.debug({ err: error.message }, "rate-limit redis error"));
  const limit = createRateLimit(redis, {
    name: "ip",
    keyPrefix: `${config.QUEUE_PREFIX}:ratelimit:indexer`,
    points: config.INDEXER_RATE_LIMIT_PER_IP,
    durationSeconds: config.INDEXER_RATE_LIMIT_WINDOW_SECONDS,
  });
  const created = { key, redis, limit };
  store[slot] = created;
  return created;
}

/** Counts each request against its client IP; past the limit, 429 with Retry-After. */
export function indexerRateLimit(): MiddlewareHandler {
  const trustProxyHops = config.TRUST_PROXY_HOPS;
  return (c, next) => rateLimit(limiter().limit, (ctx) => clientIp(ctx, { trustProxyHops }))(c, next);
}
