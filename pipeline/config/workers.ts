/** BullMQ workers of every stage: whether they run, job locks, attempts and backoff, shutdown grace. */
import { z } from "zod";
import { bool, int } from "../../common/env";

export const workersEnv = z.object({
  /** Start the workers (false: HTTP only). */
  WORKERS_ENABLED: bool(true),
  /**
   * How long a job's lock lives without renewal (a live worker renews it every half period): after a
   * crash its job is picked up again by another worker within 1.5 × this (the stalled-job check runs
   * at half this interval). Stages waiting on a provider touch their row every half period too, so
   * recovery tells a live job from an orphaned one after two periods.
   */
  WORKER_LOCK_DURATION_MS: int(6_000, { min: 500 }),
  /**
   * How long a shutdown waits for active generate jobs; after that they are interrupted and put back
   * in the queue (their prediction id is stored, so the next worker resumes it).
   */
  SHUTDOWN_GRACE_MS: int(20_000, { min: 0 }),
  JOB_ATTEMPTS: int(8, { min: 1, max: 100 }),
  JOB_BACKOFF_MS: int(2_000, { min: 10 }),
  /**
   * How often one job may be put back for a provider's 429 (Retry-After) before its token fails: a
   * provider that always answers 429 (out of credit, misconfigured) must not hold tokens forever.
   */
  RATE_LIMIT_MAX_WAITS: int(100, { min: 1, max: 100_000 }),
});
