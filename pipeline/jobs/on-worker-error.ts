/**
 * What a BullMQ worker's 'error' event means. A lost connection is a Redis outage: the outage log
 * writes one line when it starts and one when it ends. Anything else happened to one job while Redis
 * answered — its lock or its key gone after a wipe — and is said once per job, as a warning.
 * Counting those as an outage declared Redis down with no reconnect ever to end it: after a FLUSHALL
 * the pipeline logged "redis still unreachable" every 30 s while Redis was fine. During an outage
 * every error belongs to it.
 */
import { isRedisUnreachable } from "../../common/redis";
import type { Context } from "../context";

/** BullMQ names the job in these errors: "could not renew lock for job <id>", "Missing key for job <id>. …". */
const JOB_ID = /for job (\S+?)\.?(?:\s|$)/;
/** Jobs remembered as already reported (a wipe under a busy worker loses a few dozen at most). */
const REMEMBERED = 1_000;

/** The 'error' listener of the worker of `queue`. */
export function onWorkerError(ctx: Pick<Context, "outages" | "logger">, queue: string): (error: Error) => void {
  const reported = new Set<string>();
  return (error) => {
    if (ctx.outages.redis.down() || isRedisUnreachable(error)) return ctx.outages.redis.failed(error);
    const jobId = JOB_ID.exec(error.message)?.[1];
    if (jobId) {
      if (reported.has(jobId)) return;
      reported.add(jobId);
      if (reported.size > REMEMBERED) reported.delete(reported.values().next().value as string);
    }
    ctx.logger.warn({ queue, jobId, err: error.message.slice(0, 300) }, "worker lost track of a job (Redis wiped?)");
  };
}
