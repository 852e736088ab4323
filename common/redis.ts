/** Redis connections: BullMQ workers block forever on Redis; producers and request handlers fail fast. */
import { Redis, type RedisOptions } from "ioredis";

/** A connection for a BullMQ Worker or QueueEvents: retries every command until Redis is back. */
export function workerConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...options });
}

/** A connection for a producer (Queue.add from an API call): fails quickly so the caller can answer. */
export function producerConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 5_000, ...options });
}

/**
 * A connection for work inside an HTTP request (rate limits, sign-in challenges): every command
 * settles within `commandTimeout`, even against a Redis that accepts connections but never answers,
 * so a request waits at most that long for Redis.
 */
export function requestConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 1_000, ...options });
}
