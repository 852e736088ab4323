/**
 * One reveal round, run under the reveal queue's global concurrency of 1: settle what is pending,
 * decide whether a batch is due, then send batches until no ready token is left.
 */
import type { RevealJobData } from "../../common/jobs";
import type { Context } from "../context";
import type { Token } from "../db/schema";
import { readyBacklog, selectReady } from "../db/token-queries";
import type { Keeper } from "./keeper";
import { recordAlreadyRevealed, recordFailed, regenerate } from "./outcomes";
import { preflight } from "./preflight";
import { scheduleReveal } from "./request";
import { revealBatch } from "./reveal-batch";
import { roundDue } from "./round-due";
import { senderFor } from "./sender";
import { type Settled, settlePending } from "./settle";

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

export type RevealRoundParameters = { keeper: Keeper; data: RevealJobData; jobId?: string; signal?: AbortSignal };

/** Small margin so a timer that fires a few ms early (clock skew) still counts as due. */
const DUE_SLACK_MS = 100;

/** Runs one round; throws transient errors for BullMQ to retry and KeeperUnauthorizedError to stop. */
export async function runRevealRound(ctx: Context, p: RevealRoundParameters): Promise<RoundStats> {
  const c = ctx.config;
  const s = senderFor(ctx, { keeper: p.keeper, signal: p.signal });
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
  if (!(await isDue(ctx, p.data, settled))) return { ...stats, status: "waiting" };
  // Once due, every ready token goes out now, batch after batch, without waiting again.
  const deferred: string[] = [];
  for (;;) {
    // Stopping between batches: the remaining ready tokens wait for the next round.
    if (p.signal?.aborted) break;
    const tokens = await selectReady(ctx.db, {
      chainId: c.network.chainId,
      limit: c.BATCH_REVEAL_MAX_TOKENS,
      tokenIds: p.data.tokenIds,
      exclude: deferred,
    });
    if (tokens.length === 0) break;
    const ready = await screen(ctx, { tokens, stats, deferred, jobId: p.jobId });
    if (ready.length === 0) continue;
    const sent = await revealBatch(ctx, { sender: s, ready, jobId: p.jobId });
    if (sent.kind === "fees-above-cap") {
      // A manual reveal's recheck keeps its ids; one without ids (or an automatic round) rechecks all.
      const delayMs = c.REVEAL_RECHECK_SECONDS * 1000;
      await scheduleReveal(ctx, { delayMs, reason: "fees", tokenIds: p.data.tokenIds });
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
      tokenIds: p.data.tokenIds ? deferred : undefined,
    });
  }
  return stats;
}

/**
 * Whether this round sends now. Manual reveals, rechecks and tokens handed back by settlement (they
 * were due already) go at once; otherwise the batch rule decides, and a round that is not due yet
 * schedules the `timer` round for when the oldest ready token's wait runs out.
 */
async function isDue(ctx: Context, data: RevealJobData, settled: readonly Settled[]): Promise<boolean> {
  if (data.trigger === "manual" || data.trigger === "recheck" || settled.some((x) => x.returned > 0)) return true;
  const c = ctx.config;
  const verdict = roundDue({
    backlog: await readyBacklog(ctx.db, c.network.chainId),
    maxTokens: c.BATCH_REVEAL_MAX_TOKENS,
    waitSeconds: c.BATCH_REVEAL_WAIT_SECONDS,
    now: Date.now() + DUE_SLACK_MS,
  });
  if (verdict.due) return true;
  if (Number.isFinite(verdict.inMs))
    await scheduleReveal(ctx, { delayMs: verdict.inMs + DUE_SLACK_MS, reason: "timer" });
  return false;
}

type ScreenParameters = { tokens: Token[]; stats: RoundStats; deferred: string[]; jobId?: string };

/**
 * Pre-flight of one batch against the chain, acting on every verdict but "reveal": already revealed
 * (recorded), missing (failed), re-minted for another author (regenerated), not deep yet (deferred).
 * Returns the tokens safe to reveal.
 */
async function screen(ctx: Context, p: ScreenParameters) {
  const c = ctx.config;
  const checked = await preflight({
    chain: ctx.chain,
    contract: c.network.address,
    startBlock: c.network.startBlock,
    confirmations: c.REVEAL_CONFIRMATIONS,
    tokens: p.tokens,
  });
  const ids = (tokens: readonly Token[]) => tokens.map((t) => t.token_id);
  p.stats.alreadyRevealed += await recordAlreadyRevealed(ctx, {
    tokenIds: ids(checked.alreadyRevealed),
    jobId: p.jobId,
  });
  p.stats.failed += await recordFailed(ctx, {
    tokenIds: ids(checked.missing),
    reason: "token does not exist on-chain (its mint was reorged away)",
    jobId: p.jobId,
  });
  for (const { token, mint } of checked.reassigned) await regenerate(ctx, { token, mint, jobId: p.jobId });
  p.stats.regenerated += checked.reassigned.length;
  p.deferred.push(...ids(checked.notDeep));
  p.stats.deferred = p.deferred.length;
  return checked.reveal;
}
