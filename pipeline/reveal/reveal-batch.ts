/**
 * One reveal transaction for the tokens that passed pre-flight: fee check against the cap,
 * simulation (with fault isolation), gas estimate with buffer, then send and settle.
 */
import { GliskNFTAbi } from "../../abis/GliskNFTAbi";
import type { Context } from "../context";
import { bump, quoteFees } from "./fees";
import { recordAlreadyRevealed, recordFailed } from "./outcomes";
import type { PreflightResult } from "./preflight";
import { sendReveal } from "./send";
import type { Sender } from "./sender";
import { applyOutcome } from "./settle";
import { isolateFaults, type RevealItem, simulateReveal } from "./simulate";

export type BatchResult =
  | { kind: "fees-above-cap" }
  | { kind: "done"; transactions: number; revealed: number; alreadyRevealed: number; failed: number };

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

  const call = { chain: ctx.chain, contract: s.contract, keeper: s.keeper.address };
  let items: RevealItem[] = ready.map((r) => ({ tokenId: r.token.token_id, uri: `ipfs://${r.token.metadata_cid}` }));
  const revert = await simulateReveal(call, items);
  if (revert) {
    const isolated = await isolateFaults({
      simulate: (part) => simulateReveal(call, part),
      items,
      knownRevert: revert,
    });
    for (const { item, revert: why } of isolated.faults) {
      const tokenIds = [item.tokenId];
      if (why.name === "AlreadyRevealed")
        result.alreadyRevealed += await recordAlreadyRevealed(ctx, { tokenIds, jobId });
      else
        result.failed += await recordFailed(ctx, { tokenIds, reason: `revealTokens reverts: ${why.message}`, jobId });
    }
    items = isolated.ok;
    if (items.length === 0) return result;
    const again = await simulateReveal(call, items);
    if (again) throw new Error(`reveal batch still reverts after isolating faulty tokens: ${again.message}`);
  }

  const estimate = await ctx.chain.estimateContractGas({
    address: s.contract,
    abi: GliskNFTAbi,
    functionName: "revealTokens",
    args: [items.map((i) => BigInt(i.tokenId)), items.map((i) => i.uri)],
    account: s.keeper.address,
  });
  const gas = bump(estimate, BigInt(Math.round(ctx.config.REVEAL_GAS_BUFFER * 1000)));
  // Every pending row was settled at the start of the round, so the node's pending count is ours to use.
  const nonce = await ctx.chain.getTransactionCount({ address: s.keeper.address, blockTag: "pending" });
  const mints = new Map(ready.map((r) => [r.token.token_id, r.mint]));
  const { row, outcome } = await sendReveal(s, {
    items: items.map((i) => {
      const mint = mints.get(i.tokenId);
      if (!mint) throw new Error(`no mint for token ${i.tokenId}`);
      return { ...i, mintTxHash: mint.txHash, mintBlockNumber: mint.blockNumber };
    }),
    nonce,
    gas,
    fees: quote.fees,
    jobId,
  });
  const settled = await applyOutcome(s, { row, outcome });
  s.logger.info(
    { revealTxId: row.id, outcome: settled.outcome, revealed: settled.revealed, hash: settled.row.mined_hash },
    "reveal transaction settled",
  );
  return { ...result, transactions: 1, revealed: settled.revealed };
}
