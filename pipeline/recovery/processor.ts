/**
 * The `recover` queue's processor: one periodic pass (RECOVER_INTERVAL_SECONDS, once across all
 * replicas) over the rows that have been quiet for the grace period, so a Redis wipe heals while the
 * pipeline keeps running. Never races a live job: only rows unchanged for the grace period are
 * touched, and `ensureJob` leaves any job still in Redis alone. Idempotent by deterministic job ids.
 */
import type { Job } from "bullmq";
import type { RecoverJobData } from "../../common/jobs";
import type { Config } from "../config";
import type { Context } from "../context";
import { type RecoverParameters, type RecoverReturnType, recoverStages } from "./recover-stages";

/**
 * Rows written more recently than this may belong to a job still running whose Redis entry was
 * wiped. A live attempt touches its row every half lock period while it waits on a provider
 * (jobs/heartbeat.ts), so two lock periods without a write mean no worker holds it, whatever the
 * status.
 */
export function quietSince(config: Config, now = Date.now()): NonNullable<RecoverParameters["quietSince"]> {
  const quiet = new Date(now - 2 * config.WORKER_LOCK_DURATION_MS);
  return { detected: quiet, generating: quiet, generated: quiet };
}

/**
 * One periodic pass: recovers the rows that have been quiet for the grace period. After a wipe it
 * also takes minted tokens with no row however young their mint: the indexer's own enqueue, which
 * the grace period waits for, may be exactly what the wipe removed.
 */
export function recoverQuietStages(ctx: Context, data: RecoverJobData = {}): Promise<RecoverReturnType> {
  return recoverStages(ctx, { quietSince: quietSince(ctx.config), ...(data.afterWipe ? { mintGraceBlocks: 0 } : {}) });
}

/** Builds the BullMQ processor of the recover queue. */
export function createRecoverProcessor(ctx: Context) {
  return (job: Job<RecoverJobData>): Promise<RecoverReturnType> => recoverQuietStages(ctx, job.data);
}
