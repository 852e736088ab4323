/** Redis connections for BullMQ. Workers block forever on Redis; producers fail fast. */
import { Redis, type RedisOptions } from "ioredis";

/** A connection for a BullMQ Worker or QueueEvents: retries every command until Redis is back. */
export function workerConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...options });
}

/** A connection for a producer (Queue.add from an API call): fails quickly so the caller can answer. */
export function producerConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 5_000, ...options });
}
