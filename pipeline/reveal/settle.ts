/**
 * Settlement of reveal transactions: what a mined, reverted or lost nonce means for the row and its
 * tokens, and the restart recovery that settles every pending row before anything new is sent.
 */

import { readRevealed } from "../chain/token-reads";
import { keeperTransactions, MAX_REVEAL_ATTEMPTS, moveTokens } from "../db/reveal-transactions";
import { READY, type RevealTransaction } from "../db/schema";
import { reopenReorged } from "./reorg";
import { resumeReveal } from "./send";
import type { Sender } from "./sender";
import type { Outcome } from "./watch";

export type Settled = { row: RevealTransaction; outcome: Outcome["kind"]; revealed: number; returned: number };

/** Records the outcome of a reveal transaction on its row and moves its tokens accordingly. */
export async function applyOutcome(s: Sender, row: RevealTransaction, outcome: Outcome): Promise<Settled> {
  const ids = row.token_ids;
  if (outcome.kind === "lost") {
    // Another transaction used our nonce: the chain tells which ids are revealed (by anyone).
    const flags = await readRevealed(s.chain, { contract: s.contract, ids: ids.map(BigInt) });
    const onChain = ids.filter((_, i) => flags[i]);
    const notYet = ids.filter((_, i) => !flags[i]);
    return s.db.transaction().execute(async (tx) => {
      const updated = await tx
        .updateTable("reveal_transactions")
        .set({
          status: "failed",
          error: "nonce consumed by a transaction not sent by this row",
          updated_at: new Date(),
        })
        .where("id", "=", row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const common = { chainId: s.chainId, from: "revealing" as const, revealTxId: row.id };
      const revealed = await moveTokens(tx, {
        ...common,
        tokenIds: onChain,
        to: "revealed",
        reason: "revealed on-chain by another transaction",
      });
      const returned = await moveTokens(tx, {
        ...common,
        tokenIds: notYet,
        to: READY,
        reason: `reveal nonce ${row.nonce} consumed elsewhere`,
        set: { reveal_tx_id: null },
      });
      return { row: updated, outcome: outcome.kind, revealed: revealed.length, returned: returned.length };
    });
  }
  const { receipt } = outcome;
  return s.db.transaction().execute(async (tx) => {
    const updated = await tx
      .updateTable("reveal_transactions")
      .set({
        status: outcome.kind,
        mined_hash: receipt.transactionHash,
        block_number: Number(receipt.blockNumber),
        gas_used: receipt.gasUsed.toString(),
        effective_gas_price: receipt.effectiveGasPrice.toString(),
        error: outcome.kind === "reverted" ? "reverted on-chain" : null,
        updated_at: new Date(),
      })
      .where("id", "=", row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const common = { chainId: s.chainId, tokenIds: ids, from: "revealing" as const, revealTxId: row.id };
    if (outcome.kind === "mined") {
      const revealed = await moveTokens(tx, {
        ...common,
        to: "revealed",
        reason: null,
        set: {
          reveal_tx_hash: receipt.transactionHash,
          reveal_block_number: Number(receipt.blockNumber),
          reveal_error: null,
        },
      });
      return { row: updated, outcome: outcome.kind, revealed: revealed.length, returned: 0 };
    }
    // Simulation passed but the chain reverted (state changed in between): retry a few times, then fail.
    const reason = `reveal transaction ${receipt.transactionHash} reverted on-chain`;
    await moveTokens(tx, {
      ...common,
      to: "failed",
      reason: `${reason} (${MAX_REVEAL_ATTEMPTS} attempts)`,
      set: { reveal_error: reason },
      attempts: { atLeast: MAX_REVEAL_ATTEMPTS },
    });
    const returned = await moveTokens(tx, {
      ...common,
      to: READY,
      reason,
      set: { reveal_error: reason, reveal_tx_id: null },
      attempts: { below: MAX_REVEAL_ATTEMPTS },
    });
    return { row: updated, outcome: outcome.kind, revealed: 0, returned: returned.length };
  });
}

/**
 * Settles every pending row of this keeper, oldest nonce first, before anything new is sent: from
 * the receipt of any of its hashes, or by re-sending it as last signed and watching it through.
 * Recent reveals a reorg took back are reopened first, so they are settled the same way.
 */
export async function settlePending(s: Sender): Promise<Settled[]> {
  await reopenReorged(s);
  const pending = await keeperTransactions(s, "pending").execute();
  const settled: Settled[] = [];
  for (const row of pending) {
    s.logger.info({ revealTxId: row.id, nonce: row.nonce, hashes: row.hashes }, "settling pending reveal transaction");
    settled.push(await applyOutcome(s, row, await resumeReveal(s, row)));
  }
  return settled;
}
