/**
 * One reveal round, run under the reveal queue's global concurrency of 1: settle what is pending,
 * decide whether a batch is due, then send batches until no ready token is left.
 */

import { GliskNFTAbi } from "../../abis/GliskNFTAbi";
import type { Context } from "../context";
import type { Keeper } from "../keeper";
import type { RevealJobData } from "../queues";
import { feeCap, quoteFees } from "./fees";
import { recordAlreadyRevealed, recordFailed, regenerate } from "./outcomes";
import { preflight } from "./preflight";
import { scheduleReveal } from "./request";
import { readyBacklog, roundDue, selectReady } from "./select-batch";
import { type Sender, sendReveal } from "./send";
import { applyOutcome, settlePending } from "./settle";
import { isolateFaults, type RevealItem, simulateReveal } from "./simulate";

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

/** The sender settings for this context's chain and keeper. */
export function senderFor(ctx: Context, keeper: Keeper, signal?: AbortSignal): Sender {
  const c = ctx.config;
  return {
    db: ctx.db,
    chain: ctx.chain,
    logger: ctx.logger.child({ stage: "reveal" }),
    keeper,
    chainId: c.network.chainId,
    contract: c.network.address,
    stuckSeconds: c.REVEAL_STUCK_SECONDS,
    bumpPercent: c.REVEAL_FEE_BUMP_PERCENT,
    cap: feeCap(c.REVEAL_MAX_FEE_GWEI),
    pollMs: Math.min(ctx.chain.pollingInterval, 1_000),
    signal,
  };
}

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
  const call = { chain: ctx.chain, contract: c.network.address, keeper: keeper.address };
  const deferred: string[] = [];
  // Tokens handed back by settlement were due already: they go out now rather than wait again.
  let due = data.trigger === "manual" || data.trigger === "recheck" || settled.some((x) => x.returned > 0);
  for (;;) {
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
        return { ...stats, status: stats.transactions > 0 ? "done" : "waiting" };
      }
      // Once due, every ready token goes out now, batch after batch, without waiting again.
      due = true;
    }
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

    const quote = await quoteFees(ctx.chain, s.cap);
    if (!quote.ok) {
      s.logger.warn(
        { maxFeePerGas: quote.fees.maxFeePerGas.toString(), cap: quote.cap.toString() },
        "fees above REVEAL_MAX_FEE_GWEI: tokens stay ready, looking again later",
      );
      await scheduleReveal(ctx, { delayMs: c.REVEAL_RECHECK_SECONDS * 1000, reason: "fees" });
      return { ...stats, status: "fees-above-cap" };
    }

    const byId = new Map(checked.reveal.map((r) => [r.token.token_id, r]));
    let items: RevealItem[] = checked.reveal.map((r) => ({
      tokenId: r.token.token_id,
      uri: `ipfs://${r.token.metadata_cid}`,
    }));
    const revert = await simulateReveal(call, items);
    if (revert) {
      const isolated = await isolateFaults((part) => simulateReveal(call, part), items, revert);
      for (const { item, revert: why } of isolated.faults) {
        if (why.name === "AlreadyRevealed")
          stats.alreadyRevealed += await recordAlreadyRevealed(ctx, [item.tokenId], jobId);
        else stats.failed += await recordFailed(ctx, [item.tokenId], `revealTokens reverts: ${why.message}`, jobId);
      }
      items = isolated.ok;
      if (items.length === 0) continue;
      const again = await simulateReveal(call, items);
      if (again) throw new Error(`reveal batch still reverts after isolating faulty tokens: ${again.message}`);
    }

    const estimate = await ctx.chain.estimateContractGas({
      address: c.network.address,
      abi: GliskNFTAbi,
      functionName: "revealTokens",
      args: [items.map((i) => BigInt(i.tokenId)), items.map((i) => i.uri)],
      account: keeper.address,
    });
    const gas = (estimate * BigInt(Math.round(c.REVEAL_GAS_BUFFER * 1000)) + 999n) / 1000n;
    const nonce = await ctx.chain.getTransactionCount({ address: keeper.address, blockTag: "pending" });
    const { row, outcome } = await sendReveal(s, {
      items: items.map((i) => {
        const mint = byId.get(i.tokenId)?.mint;
        if (!mint) throw new Error(`no mint for token ${i.tokenId}`);
        return { ...i, mintTxHash: mint.txHash, mintBlockNumber: mint.blockNumber };
      }),
      nonce,
      gas,
      fees: quote.fees,
      jobId,
    });
    const settled = await applyOutcome(s, row, outcome);
    stats.transactions += 1;
    stats.revealed += settled.revealed;
    s.logger.info(
      { revealTxId: row.id, outcome: settled.outcome, revealed: settled.revealed, hash: settled.row.mined_hash },
      "reveal transaction settled",
    );
  }
  if (deferred.length > 0) {
    await scheduleReveal(ctx, { delayMs: c.REVEAL_RECHECK_SECONDS * 1000, reason: "depth" });
  }
  return stats;
}
