/**
 * The `recover` queue's processor: one periodic pass (RECOVER_INTERVAL_SECONDS, once across all
 * replicas) over the rows that have been quiet for the grace period, so a Redis wipe heals while the
 * pipeline keeps running. Never races a live job: only rows unchanged for the grace period are
 * touched, and `ensureJob` leaves any job still in Redis alone. Idempotent by deterministic job ids.
 */
import type { Config } from "../config";
import type { Context } from "../context";
import { type RecoverParameters, type RecoverReturnType, recoverStages } from "./recover-stages";

/**
 * Rows written more recently than this may belong to a job still running whose Redis entry was
 * wiped: twice the lock, plus the longest a stage goes without writing its row — a generate attempt
 * waits on the provider and then downloads, a pin upload runs up to PIN_TIMEOUT_MS (the image's
 * pin is recorded before the metadata's upload starts).
 */
export function quietSince(config: Config, now = Date.now()): NonNullable<RecoverParameters["quietSince"]> {
  const base = now - 2 * config.WORKER_LOCK_DURATION_MS;
  return {
    detected: new Date(base),
    generating: new Date(base - config.GENERATE_TIMEOUT_SECONDS * 1000 - config.IMAGE_DOWNLOAD_TIMEOUT_MS),
    generated: new Date(base - config.PIN_TIMEOUT_MS),
  };
}

/** One periodic pass: recovers the rows that have been quiet for the grace period. */
export function recoverQuietStages(ctx: Context): Promise<RecoverReturnType> {
  return recoverStages(ctx, { quietSince: quietSince(ctx.config) });
}

/** Builds the BullMQ processor of the recover queue. */
export function createRecoverProcessor(ctx: Context) {
  return (): Promise<RecoverReturnType> => recoverQuietStages(ctx);
}
