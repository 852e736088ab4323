/**
 * Reveals that a reorg took back. A mined reveal is recorded at its first receipt; each round first
 * re-reads the receipts of reveals mined within the reorg window. One whose receipt is gone is
 * reopened as `pending` with its tokens `revealing`, and restart settlement re-sends the same signed
 * transaction (or finds its nonce used), so the token is revealed on the canonical chain exactly once.
 */

import { readRevealed } from "../chain/token-reads";
import { keeperTransactions, moveTokens } from "../db/reveal-transactions";
import { READY } from "../db/schema";
import type { Sender } from "./sender";
import { receiptOf } from "./watch";

const UNIQUE_VIOLATION = "23505";

/** Deeper than the 30-block finality Ponder assumes for Base and anvil. */
const REORG_WINDOW_BLOCKS = 32;

/** Re-checks recent mined reveals; returns how many were reopened or handed back. */
export async function reopenReorged(s: Sender): Promise<number> {
  const head = Number(await s.chain.getBlockNumber({ cacheTime: 0 }));
  const recent = await keeperTransactions(s, "mined")
    .where("block_number", ">=", head - REORG_WINDOW_BLOCKS)
    .execute();
  let reopened = 0;
  for (const row of recent) {
    const receipt = await receiptOf(s.chain, row.hashes);
    if (receipt?.status === "success") {
      const block = Number(receipt.blockNumber);
      if (block !== row.block_number || receipt.transactionHash !== row.mined_hash) {
        await s.db.transaction().execute(async (tx) => {
          const set = { mined_hash: receipt.transactionHash, block_number: block, updated_at: new Date() };
          await tx.updateTable("reveal_transactions").set(set).where("id", "=", row.id).execute();
          await tx
            .updateTable("tokens")
            .set({ reveal_tx_hash: receipt.transactionHash, reveal_block_number: block })
            .where("reveal_tx_id", "=", row.id)
            .execute();
        });
      }
      continue;
    }
    s.logger.warn({ revealTxId: row.id, nonce: row.nonce, hash: row.mined_hash }, "reveal transaction reorged out");
    reopened += 1;
    const reopen = s.db.transaction().execute(async (tx) => {
      await tx
        .updateTable("reveal_transactions")
        .set({ status: "pending", mined_hash: null, block_number: null, gas_used: null, effective_gas_price: null })
        .where("id", "=", row.id)
        .execute();
      await moveTokens(tx, {
        chainId: s.chainId,
        tokenIds: row.token_ids,
        from: "revealed",
        to: "revealing",
        reason: `reveal ${row.mined_hash} reorged out; re-sending`,
        revealTxId: row.id,
      });
    });
    // A newer transaction already holds this nonce as pending: give the tokens back instead.
    await reopen.catch(async (error) => {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      const flags = await readRevealed(s.chain, { contract: s.contract, ids: row.token_ids.map(BigInt) });
      await s.db.transaction().execute(async (tx) => {
        const error = `reorged out (${row.mined_hash}); nonce reused`;
        await tx.updateTable("reveal_transactions").set({ status: "failed", error }).where("id", "=", row.id).execute();
        await moveTokens(tx, {
          chainId: s.chainId,
          tokenIds: row.token_ids.filter((_, i) => !flags[i]),
          from: "revealed",
          to: READY,
          reason: `reveal ${row.mined_hash} reorged out`,
          set: { reveal_tx_id: null, reveal_tx_hash: null, reveal_block_number: null },
          revealTxId: row.id,
        });
      });
    });
  }
  return reopened;
}
