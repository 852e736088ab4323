/**
 * Writes that must not be lost to a database outage. Most writes can fail with their job: the retry
 * redoes them. One cannot: the id of a prediction the provider has already accepted (and billed).
 * If storing it fails, the retry finds no id and pays for a second prediction. Such a write waits out
 * a Postgres restart or failover instead, retrying while the error says the server is unreachable
 * (and only then: any other error is thrown at once).
 */
import { setTimeout as sleep } from "node:timers/promises";

/** Error codes of a server that went away or is not accepting connections yet. */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "57P01", // admin_shutdown: terminated by a restart
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up or shutting down
  "53300", // too_many_connections
]);

/** node-postgres reports a cut connection and a connect timeout with these texts and no code. */
const UNREACHABLE_TEXT = /connection terminated|timeout exceeded when trying to connect|connection error/i;

/** Whether `error` says the database could not be reached (rather than that the statement failed). */
export function isDatabaseUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  // SQLSTATE class 08: connection exceptions.
  if (typeof code === "string" && (UNREACHABLE_CODES.has(code) || /^08/.test(code))) return true;
  if (UNREACHABLE_TEXT.test(error.message)) return true;
  return error instanceof AggregateError && error.errors.some(isDatabaseUnreachable);
}

export type RetryUnreachableOptions = {
  /** Give up (rethrow) once the database has been unreachable this long. */
  timeoutMs?: number;
  /** Stop waiting when this aborts (a shutdown): the last error is thrown. */
  signal?: AbortSignal;
  /** Called once per failed try, with the error (the outage log counts them). */
  onUnreachable?: (error: unknown) => void;
};

/** Runs `write`, retrying it with capped backoff while the database is unreachable. */
export async function retryUnreachable<T>(write: () => Promise<T>, o: RetryUnreachableOptions = {}): Promise<T> {
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isDatabaseUnreachable(error) || Date.now() >= deadline || o.signal?.aborted) throw error;
      o.onUnreachable?.(error);
      await sleep(Math.min(2_000, 100 * 2 ** attempt));
    }
  }
}
