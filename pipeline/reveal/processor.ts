/**
 * The reveal stage's processor: one round per job on the `reveal` queue, whose global concurrency of
 * 1 makes rounds single-flight across every replica (invariant 5). A crashed holder loses its lock
 * after WORKER_LOCK_DURATION_MS; BullMQ's stalled-job check then hands the round to another replica,
 * whose first step settles the pending transaction the crashed one left.
 */
import type { Job } from "bullmq";
import type { RevealJobData } from "../../common/jobs";
import type { Context } from "../context";
import { toJobError } from "../errors";
import { type Keeper, KeeperUnauthorizedError, setRevealWorkerState } from "./keeper";
import { type RoundStats, runRevealRound } from "./round";
import { WorkerStoppingError } from "./watch";

export type RevealProcessorParameters = {
  ctx: Context;
  keeper: Keeper;
  /** Aborted when the worker stops: a round watching a stuck transaction leaves it to the next holder. */
  signal?: AbortSignal;
  /** The keeper lost KEEPER_ROLE: the worker must stop (an operator has to grant the role). */
  onUnauthorized: (error: KeeperUnauthorizedError) => void;
};

/** Builds the BullMQ processor of the reveal queue for one keeper. */
export function createRevealProcessor(p: RevealProcessorParameters) {
  const { ctx } = p;
  return async (job: Job<RevealJobData>): Promise<RoundStats> => {
    try {
      const stats = await runRevealRound(ctx, { keeper: p.keeper, data: job.data, jobId: job.id, signal: p.signal });
      ctx.logger.info({ jobId: job.id, trigger: job.data.trigger, ...stats }, "reveal round finished");
      return stats;
    } catch (error) {
      if (error instanceof KeeperUnauthorizedError) {
        ctx.logger.error({ err: error.message, jobId: job.id }, error.message);
        setRevealWorkerState({ running: false, stoppedReason: error.message });
        p.onUnauthorized(error);
      } else if (error instanceof WorkerStoppingError) {
        ctx.logger.info({ jobId: job.id }, error.message);
      } else {
        ctx.logger.warn({ err: (error as Error).message, jobId: job.id }, "reveal round failed; BullMQ retries it");
      }
      throw toJobError(error, ctx.scrub);
    }
  };
}
