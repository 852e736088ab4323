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

/** Socket errors of a server that is gone or unreachable. */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** ioredis's own texts for a lost connection, and the replies of a server loading its data or failing over. */
const UNREACHABLE_TEXT =
  /Connection is closed|Stream isn't writeable|max retries per request|^(LOADING|READONLY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN)\b|connect (ECONNREFUSED|ETIMEDOUT)/i;

/**
 * Whether `error` says Redis could not be reached (an outage), rather than that one command failed
 * while Redis answered: BullMQ reports a job whose lock or key vanished (after a wipe) through the
 * same 'error' event as a dropped connection.
 */
export function isRedisUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && UNREACHABLE_CODES.has(code)) return true;
  return error.name === "MaxRetriesPerRequestError" || UNREACHABLE_TEXT.test(error.message);
}
