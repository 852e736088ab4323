/**
 * One reveal round, run under the reveal queue's global concurrency of 1: settle what is pending,
 * decide whether a transaction is due, then send transactions while one is due. Each carries as many
 * ready tokens as fit REVEAL_GAS_BUDGET, so a backlog drains in few, full transactions; tokens a
 * block or two short of REVEAL_CONFIRMATIONS are waited for within the round instead of later.
 */
import type { RevealJobData } from "../../common/jobs";
import type { Context } from "../context";
import type { Token } from "../db/schema";
import { selectReady } from "../db/token-queries";
import { FIRST_GAS_PER_TOKEN, tokensPerTransaction } from "./batch-size";
import type { Keeper } from "./keeper";
import { recordAlreadyRevealed, recordFailed, regenerate } from "./outcomes";
import { preflight } from "./preflight";
import { scheduleReveal } from "./request";
import { revealBatch } from "./reveal-batch";
import { revealDue } from "./reveal-due";
import { type Sender, senderFor } from "./sender";
import { settlePending } from "./settle";
import { waitForBlock } from "./wait-for-block";

export type RoundStats = {
  /** `waiting`: not due yet; `fees-above-cap`: stopped until fees drop; `done`: nothing due is left. */
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

/** What one round carries from step to step. */
type Round = {
  ctx: Context;
  p: RevealRoundParameters;
  sender: Sender;
  stats: RoundStats;
  /** Manual reveals, rechecks and tokens settlement handed back (they were due already) go at once. */
  forced: boolean;
  /** Ready tokens held back this round, with the head at which their mint is deep (when known). */
  deferred: { id: string; deepAt?: number }[];
  /** Estimated gas per token of the last transaction; sizes the next selection. */
  gasPerToken: number;
};

/** Runs one round; throws transient errors for BullMQ to retry and KeeperUnauthorizedError to stop. */
export async function runRevealRound(ctx: Context, p: RevealRoundParameters): Promise<RoundStats> {
  const sender = senderFor(ctx, { keeper: p.keeper, signal: p.signal });
  const settled = await settlePending(sender);
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
  const r: Round = {
    ctx,
    p,
    sender,
    stats,
    forced: p.data.trigger === "manual" || p.data.trigger === "recheck" || settled.some((x) => x.returned > 0),
    deferred: [],
    gasPerToken: FIRST_GAS_PER_TOKEN,
  };
  if (!r.forced && !(await isDue(r))) return { ...r.stats, status: "waiting" };
  const outcome = await sendWhileDue(r);
  if (outcome === "fees-above-cap") return { ...r.stats, status: "fees-above-cap" };
  if (r.deferred.length > 0) {
    // Only the deferred ids of a manual reveal: the recheck must not sweep up every other ready token.
    await scheduleReveal(ctx, {
      delayMs: ctx.config.REVEAL_RECHECK_SECONDS * 1000,
      reason: "depth",
      tokenIds: p.data.tokenIds ? r.deferred.map((d) => d.id) : undefined,
    });
  }
  return r.stats;
}

/** Transactions, one after another, while one is due; stops between two when the worker stops. */
async function sendWhileDue(r: Round): Promise<"done" | "fees-above-cap"> {
  const { ctx, p } = r;
  const c = ctx.config;
  while (!p.signal?.aborted) {
    const tokens = await selectReady(ctx.db, {
      chainId: c.network.chainId,
      limit: tokensPerTransaction({
        budget: c.REVEAL_GAS_BUDGET,
        buffer: c.REVEAL_GAS_BUFFER,
        gasPerToken: r.gasPerToken,
      }),
      tokenIds: p.data.tokenIds,
      exclude: r.deferred.map((d) => d.id),
    });
    if (tokens.length === 0) {
      if (await awaitDeferred(r)) continue;
      break;
    }
    const ready = await screen(r, tokens);
    if (ready.length === 0) continue;
    const sent = await revealBatch(ctx, { sender: r.sender, ready, jobId: p.jobId });
    if (sent.kind === "fees-above-cap") {
      // A manual reveal's recheck keeps its ids; one without ids (or an automatic round) rechecks all.
      await scheduleReveal(ctx, {
        delayMs: c.REVEAL_RECHECK_SECONDS * 1000,
        reason: "fees",
        tokenIds: p.data.tokenIds,
      });
      return "fees-above-cap";
    }
    r.stats.transactions += sent.transactions;
    r.stats.revealed += sent.revealed;
    r.stats.alreadyRevealed += sent.alreadyRevealed;
    r.stats.failed += sent.failed;
    r.gasPerToken = sent.gasPerToken ?? r.gasPerToken;
    // What is left goes now only if it is due on its own: a trickle still shares transactions.
    if (sent.transactions > 0 && !r.forced && !(await isDue(r))) break;
  }
  return "done";
}

/**
 * Whether an automatic round sends now (reveal-due.ts; never with REVEAL_AUTOMATIC=false); when it
 * does not, the `timer` round is scheduled for when the oldest ready token's wait runs out.
 */
async function isDue(r: Round): Promise<boolean> {
  const c = r.ctx.config;
  if (!c.REVEAL_AUTOMATIC) return false;
  const batchTokens = tokensPerTransaction({
    budget: c.REVEAL_GAS_BUDGET,
    buffer: c.REVEAL_GAS_BUFFER,
    gasPerToken: r.gasPerToken,
  });
  const verdict = await revealDue(r.ctx, { batchTokens });
  if (!verdict.due && Number.isFinite(verdict.inMs))
    await scheduleReveal(r.ctx, { delayMs: verdict.inMs + verdict.slackMs, reason: "timer" });
  return verdict.due;
}

/**
 * Tokens held back only because their mint is a few blocks short of deep: waits (up to
 * REVEAL_RECHECK_SECONDS) for the first head that makes some of them deep, and lets the round look at
 * those again. False when there is nothing such to wait for, or the chain did not get there in time.
 */
async function awaitDeferred(r: Round): Promise<boolean> {
  const targets = r.deferred.map((d) => d.deepAt).filter((b): b is number => b !== undefined);
  if (targets.length === 0) return false;
  const block = Math.min(...targets);
  r.sender.logger.debug({ block, deferred: r.deferred.length }, "waiting for the block that makes ready mints deep");
  const head = await waitForBlock(r.ctx.chain, {
    block,
    timeoutMs: r.ctx.config.REVEAL_RECHECK_SECONDS * 1000,
    pollMs: r.sender.pollMs,
    signal: r.p.signal,
  });
  if (head === undefined) return false;
  r.deferred = r.deferred.filter((d) => d.deepAt === undefined || d.deepAt > head);
  r.stats.deferred = r.deferred.length;
  return true;
}

/**
 * Pre-flight of one selection against the chain, acting on every verdict but "reveal": already
 * revealed (recorded), missing (failed), re-minted for another author (regenerated), not deep yet
 * (deferred). Returns the tokens safe to reveal.
 */
async function screen(r: Round, tokens: Token[]) {
  const { ctx, stats } = r;
  const c = ctx.config;
  const jobId = r.p.jobId;
  const checked = await preflight({
    chain: ctx.chain,
    contract: c.network.address,
    startBlock: c.network.startBlock,
    confirmations: c.REVEAL_CONFIRMATIONS,
    tokens,
  });
  const ids = (list: readonly Token[]) => list.map((t) => t.token_id);
  stats.alreadyRevealed += await recordAlreadyRevealed(ctx, { tokenIds: ids(checked.alreadyRevealed), jobId });
  stats.failed += await recordFailed(ctx, {
    tokenIds: ids(checked.missing),
    reason: "token does not exist on-chain (its mint was reorged away)",
    jobId,
  });
  for (const { token, mint } of checked.reassigned) await regenerate(ctx, { token, mint, jobId });
  stats.regenerated += checked.reassigned.length;
  r.deferred.push(...checked.notDeep.map((d) => ({ id: d.token.token_id, deepAt: d.deepAt })));
  stats.deferred = r.deferred.length;
  return checked.reveal;
}
