/**
 * One reveal round, run under the reveal queue's global concurrency of 1: settle what is pending,
 * decide whether a batch is due, then send batches until no ready token is left.
 */

import type { RevealJobData } from "../../common/jobs";
import type { Context } from "../context";
import { readyBacklog, selectReady } from "../db/token-queries";
import type { Keeper } from "./keeper";
import { recordAlreadyRevealed, recordFailed, regenerate } from "./outcomes";
import { preflight } from "./preflight";
import { scheduleReveal } from "./request";
import { revealBatch } from "./reveal-batch";
import { roundDue } from "./round-due";
import { senderFor } from "./sender";
import { settlePending } from "./settle";

export type RoundStats = {
  /** `waiting`: not due yet; `fees-above-cap`: stopped until fees drop; `done`: nothing ready is left. */
  status: "done" | "waiting" | "fees-above-cap";
  settled: number;
  transactions: number;
  revealed: number;
  alreadyRevealed: number;
  regenerated: number;
  failed: number;
  deferred: number;
};

/** Small margin so a timer that fires a few ms early (clock skew) still counts as due. */
const DUE_SLACK_MS = 100;

/** Runs one round; throws transient errors for BullMQ to retry and KeeperUnauthorizedError to stop. */
export async function runRevealRound(
  ctx: Context,
  keeper: Keeper,
  data: RevealJobData,
  jobId?: string,
  signal?: AbortSignal,
): Promise<RoundStats> {
  const c = ctx.config;
  const chainId = c.network.chainId;
  const s = senderFor(ctx, keeper, signal);
  const settled = await settlePending(s);
  const stats: RoundStats = {
    status: "done",
    settled: settled.length,
    transactions: 0,
    revealed: 0,
    alreadyRevealed: 0,
    regenerated: 0,
    failed: 0,
    deferred: 0,
  };
  const deferred: string[] = [];
  // Tokens handed back by settlement were due already: they go out now rather than wait again.
  const due = data.trigger === "manual" || data.trigger === "recheck" || settled.some((x) => x.returned > 0);
  if (!due) {
    const backlog = await readyBacklog(ctx.db, chainId);
    const verdict = roundDue({
      backlog,
      maxTokens: c.BATCH_REVEAL_MAX_TOKENS,
      waitSeconds: c.BATCH_REVEAL_WAIT_SECONDS,
      now: Date.now() + DUE_SLACK_MS,
    });
    if (!verdict.due) {
      if (Number.isFinite(verdict.inMs))
        await scheduleReveal(ctx, { delayMs: verdict.inMs + DUE_SLACK_MS, reason: "timer" });
      return { ...stats, status: "waiting" };
    }
  }
  // Once due, every ready token goes out now, batch after batch, without waiting again.
  for (;;) {
    // Stopping between batches: the remaining ready tokens wait for the next round.
    if (signal?.aborted) break;
    const tokens = await selectReady(ctx.db, {
      chainId,
      limit: c.BATCH_REVEAL_MAX_TOKENS,
      tokenIds: data.tokenIds,
      exclude: deferred,
    });
    if (tokens.length === 0) break;
    const checked = await preflight({
      chain: ctx.chain,
      contract: c.network.address,
      startBlock: c.network.startBlock,
      confirmations: c.REVEAL_CONFIRMATIONS,
      tokens,
    });
    stats.alreadyRevealed += await recordAlreadyRevealed(
      ctx,
      checked.alreadyRevealed.map((t) => t.token_id),
      jobId,
    );
    stats.failed += await recordFailed(
      ctx,
      checked.missing.map((t) => t.token_id),
      "token does not exist on-chain (its mint was reorged away)",
      jobId,
    );
    for (const { token, mint } of checked.reassigned) await regenerate(ctx, token, mint, jobId);
    stats.regenerated += checked.reassigned.length;
    deferred.push(...checked.notDeep.map((t) => t.token_id));
    stats.deferred = deferred.length;
    if (checked.reveal.length === 0) continue;

    const sent = await revealBatch(ctx, s, checked.reveal, jobId);
    if (sent.kind === "fees-above-cap") {
      // A manual reveal's recheck keeps its ids; one without ids (or an automatic round) rechecks all.
      await scheduleReveal(ctx, { delayMs: c.REVEAL_RECHECK_SECONDS * 1000, reason: "fees", tokenIds: data.tokenIds });
      return { ...stats, status: "fees-above-cap" };
    }
    stats.transactions += sent.transactions;
    stats.revealed += sent.revealed;
    stats.alreadyRevealed += sent.alreadyRevealed;
    stats.failed += sent.failed;
  }
  if (deferred.length > 0) {
    // Only the deferred ids of a manual reveal: the recheck must not sweep up every other ready token.
    await scheduleReveal(ctx, {
      delayMs: c.REVEAL_RECHECK_SECONDS * 1000,
      reason: "depth",
      tokenIds: data.tokenIds ? deferred : undefined,
    });
  }
  return stats;
}
