/**
 * Fixed-window rate limits shared by every replica through Redis (rate-limiter-flexible), for any
 * Hono app of either process. Past the limit a request is refused with `ApiError` 429 and a
 * Retry-After header; the app's `onError` writes it in that app's JSON error shape.
 *
 * Redis trouble never blocks or fails a request: the limiter's connection should fail fast (see
 * `requestConnection`), and when a Redis call fails the same limit is counted in this process's
 * memory instead (`insuranceLimiter`), so during an outage each replica limits on its own.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { ApiError } from "./http-errors";

export type RateLimit = {
  /** Names the limit in keys, messages and metrics: `ip`, `wallet`, … */
  name: string;
  limiter: RateLimiterRedis;
  /** Called on every refused request (for a metric). */
  onLimited?: (name: string) => void;
};

export type RateLimitParameters = {
  name: string;
  /** Redis key prefix; every replica of one deployment must use the same. */
  keyPrefix: string;
  points: number;
  durationSeconds: number;
  onLimited?: (name: string) => void;
};

/** A limit of `points` requests per key per `durationSeconds`, counted in Redis. */
export function createRateLimit(redis: Redis, p: RateLimitParameters): RateLimit {
  const window = { points: p.points, duration: p.durationSeconds };
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${p.keyPrefix}:${p.name}`,
    ...window,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${p.keyPrefix}:${p.name}`, ...window }),
  });
  return { name: p.name, limiter, onLimited: p.onLimited };
}

/** Counts one request for `key`; throws a 429 `ApiError` with Retry-After once the limit is used up. */
export async function consumeRateLimit(limit: RateLimit, key: string): Promise<void> {
  try {
    await limit.limiter.consume(key);
  } catch (rejection) {
    // The library rejects with a RateLimiterRes when the limit is reached, with an Error otherwise.
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    limit.onLimited?.(limit.name);
    const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw new ApiError(429, "rate_limited", `too many requests (${limit.name} limit); retry in ${seconds} s`, {
      "Retry-After": String(seconds),
    });
  }
}

/** Middleware counting every request against `limit`, keyed by `key(c)` (a client IP, …). */
export function rateLimit(limit: RateLimit, key: (c: Context) => string): MiddlewareHandler {
  return async (c, next) => {
    await consumeRateLimit(limit, key(c));
    await next();
  };
}
