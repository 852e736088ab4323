/**
 * One reveal transaction for the tokens that passed pre-flight: fee check against the cap,
 * simulation (with fault isolation), as many tokens as fit the gas budget, then send and settle.
 */
import { GliskNFTAbi } from "../../abis/GliskNFTAbi";
import type { Context } from "../context";
import { fitGasBudget } from "./batch-size";
import { quoteFees } from "./fees";
import { recordAlreadyRevealed, recordFailed } from "./outcomes";
import type { PreflightResult } from "./preflight";
import { sendReveal } from "./send";
import type { Sender } from "./sender";
import { applyOutcome } from "./settle";
import { isolateFaults, type RevealItem, simulateReveal } from "./simulate";

export type BatchResult =
  | { kind: "fees-above-cap" }
  | {
      kind: "done";
      transactions: number;
      revealed: number;
      alreadyRevealed: number;
      failed: number;
      /** Estimated gas per token of the transaction sent, to size the next one. */
      gasPerToken?: number;
    };

export type RevealBatchParameters = { sender: Sender; ready: PreflightResult["reveal"]; jobId?: string };

/** Reveals `ready` in one transaction; throws transient errors and KeeperUnauthorizedError. */
export async function revealBatch(ctx: Context, p: RevealBatchParameters): Promise<BatchResult> {
  const { sender: s, ready, jobId } = p;
  const result = { kind: "done" as const, transactions: 0, revealed: 0, alreadyRevealed: 0, failed: 0 };
  const quote = await quoteFees(ctx.chain, s.cap);
  if (!quote.ok) {
    s.logger.warn(
      { maxFeePerGas: quote.fees.maxFeePerGas.toString(), cap: quote.cap.toString() },
      "fees above REVEAL_MAX_FEE_GWEI: tokens stay ready, looking again later",
    );
    return { kind: "fees-above-cap" };
  }

  const items = await withoutFaults(ctx, { sender: s, ready, jobId, result });
  if (items.length === 0) return result;

  // Tokens past the budget stay ready: the round sends them in its next transaction.
  const fit = await fitGasBudget({
    items,
    budget: ctx.config.REVEAL_GAS_BUDGET,
    buffer: ctx.config.REVEAL_GAS_BUFFER,
    estimate: (part) =>
      ctx.chain.estimateContractGas({
        address: s.contract,
        abi: GliskNFTAbi,
        functionName: "revealTokens",
        args: [part.map((i) => BigInt(i.tokenId)), part.map((i) => i.uri)],
        account: s.keeper.address,
      }),
  });
  // Every pending row was settled at the start of the round, so the node's pending count is ours to use.
  const nonce = await ctx.chain.getTransactionCount({ address: s.keeper.address, blockTag: "pending" });
  const mints = new Map(ready.map((r) => [r.token.token_id, r.mint]));
  const { row, outcome } = await sendReveal(s, {
    items: fit.items.map((i) => {
      const mint = mints.get(i.tokenId);
      if (!mint) throw new Error(`no mint for token ${i.tokenId}`);
      return { ...i, mintTxHash: mint.txHash, mintBlockNumber: mint.blockNumber };
    }),
    nonce,
    gas: fit.gas,
    fees: quote.fees,
    jobId,
  });
  const settled = await applyOutcome(s, { row, outcome });
  s.logger.info(
    { revealTxId: row.id, outcome: settled.outcome, revealed: settled.revealed, hash: settled.row.mined_hash },
    "reveal transaction settled",
  );
  const gasPerToken = Number(fit.estimate) / fit.items.length;
  return { ...result, transactions: 1, revealed: settled.revealed, gasPerToken };
}

/**
 * The batch's items once `simulateContract` passes: a reverting batch is split to isolate the
 * tokens at fault (invariant 6), which are recorded (already revealed, or failed with the decoded
 * revert) and counted in `result`.
 */
async function withoutFaults(
  ctx: Context,
  p: RevealBatchParameters & { result: { alreadyRevealed: number; failed: number } },
): Promise<RevealItem[]> {
  const { sender: s, jobId, result } = p;
  const call = { chain: ctx.chain, contract: s.contract, keeper: s.keeper.address };
  const items: RevealItem[] = p.ready.map((r) => ({
    tokenId: r.token.token_id,
    uri: `ipfs://${r.token.metadata_cid}`,
  }));
  const revert = await simulateReveal(call, items);
  if (!revert) return items;
  const isolated = await isolateFaults({ simulate: (part) => simulateReveal(call, part), items, knownRevert: revert });
  for (const { item, revert: why } of isolated.faults) {
    const tokenIds = [item.tokenId];
    if (why.name === "AlreadyRevealed") result.alreadyRevealed += await recordAlreadyRevealed(ctx, { tokenIds, jobId });
    else result.failed += await recordFailed(ctx, { tokenIds, reason: `revealTokens reverts: ${why.message}`, jobId });
  }
  if (isolated.ok.length === 0) return [];
  const again = await simulateReveal(call, isolated.ok);
  if (again) throw new Error(`reveal batch still reverts after isolating faulty tokens: ${again.message}`);
  return isolated.ok;
}
