/**
 * The inputs of the due rule (round-due.ts) read from the database and the stage queues: the ready
 * backlog, and how many tokens are still on their way to reveal.
 */
import { QUEUE } from "../../common/jobs";
import type { Context } from "../context";
import { countStatuses, readyBacklog } from "../db/token-queries";
import { type DueVerdict, roundDue } from "./round-due";

/** Small margin so a timer that fires a few ms early (clock skew) still counts as due. */
const DUE_SLACK_MS = 100;

/** Job states of a stage job that will still make a token ready. */
const LIVE_STATES = ["waiting", "active", "delayed", "prioritized", "waiting-children"] as const;

/**
 * Tokens before reveal: rows detected, generating or generated, else stage jobs still live (the
 * indexer's generate jobs create their rows only when they start).
 */
export async function tokensUpstream(ctx: Pick<Context, "db" | "config" | "queues">): Promise<number> {
  const rows = await countStatuses(ctx.db, {
    chainId: ctx.config.network.chainId,
    statuses: ["detected", "generating", "generated"],
  });
  const inRows = rows.detected + rows.generating + rows.generated;
  if (inRows > 0) return inRows;
  let jobs = 0;
  for (const queue of [ctx.queues[QUEUE.generate], ctx.queues[QUEUE.pin]]) {
    const counts = await queue.getJobCounts(...LIVE_STATES);
    jobs += Object.values(counts).reduce((sum, n) => sum + n, 0);
  }
  return jobs;
}

/** The due verdict for `batchTokens` tokens per transaction, with the slack to add to a timer. */
export async function revealDue(
  ctx: Pick<Context, "db" | "config" | "queues">,
  p: { batchTokens: number },
): Promise<DueVerdict & { slackMs: number }> {
  const c = ctx.config;
  const backlog = await readyBacklog(ctx.db, c.network.chainId);
  const verdict = roundDue({
    backlog,
    upstream: backlog.count > 0 ? await tokensUpstream(ctx) : 0,
    batchTokens: p.batchTokens,
    waitSeconds: c.BATCH_REVEAL_WAIT_SECONDS,
    now: Date.now() + DUE_SLACK_MS,
  });
  return { ...verdict, slackMs: DUE_SLACK_MS };
}
