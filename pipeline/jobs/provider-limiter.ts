/**
 * The brake on a stage's paid calls, shared by every replica. BullMQ's worker limiter counts job
 * starts in one Redis key per queue, so the configured rate holds across processes; and a 429 puts
 * that key out of reach for the provider's Retry-After (`queue.rateLimit`, jobs/stage-failure.ts),
 * which every replica's worker sees only when it has a limiter. So a stage without a configured rate
 * still gets one, too high ever to bind.
 */
import type { RateLimiterOptions } from "bullmq";

/** Never reached by job starts, always below the value `queue.rateLimit` writes (Number.MAX_SAFE_INTEGER). */
const UNBOUNDED = 1_000_000_000;

/**
 * A limiter of `perMinute` job starts (0: none), in windows of about 100 ms so starts are spread
 * evenly instead of arriving in bursts a provider's token bucket would refuse. Rounding always errs
 * below the rate: the provider's limit is never exceeded.
 */
export function providerLimiter(perMinute: number): RateLimiterOptions {
  if (perMinute <= 0) return { max: UNBOUNDED, duration: 1_000 };
  const max = Math.max(1, Math.round(perMinute / 600));
  return { max, duration: Math.ceil((60_000 * max) / perMinute) };
}
