/**
 * Reveals that a reorg took back. A mined reveal is recorded at its first receipt; each round first
 * re-reads the receipts of reveals mined within the reorg window. One whose receipt is gone is
 * reopened as `pending` with its tokens `revealing`, and restart settlement re-sends the same signed
 * transaction (or finds its nonce used), so the token is revealed on the canonical chain exactly once.
 */
import { readRevealed } from "../chain/token-reads";
import { abandonReorged, keeperTransactions, recordMinedLocation, reopenReveal } from "../db/reveal-transactions";
import type { Sender } from "./sender";
import { receiptOf } from "./watch";

const UNIQUE_VIOLATION = "23505";

/** Deeper than the 30-block finality Ponder assumes for Base and anvil. */
const REORG_WINDOW_BLOCKS = 32;

/** Re-checks recent mined reveals; returns how many were reopened or handed back. */
export async function reopenReorged(s: Sender): Promise<number> {
  const head = Number(await s.chain.getBlockNumber({ cacheTime: 0 }));
  const recent = await keeperTransactions(s.db, {
    chainId: s.chainId,
    keeper: s.keeper.address,
    status: "mined",
    minedSince: head - REORG_WINDOW_BLOCKS,
  });
  let reopened = 0;
  for (const row of recent) {
    const receipt = await receiptOf(s.chain, row.hashes);
    if (receipt?.status === "success") {
      const block = Number(receipt.blockNumber);
      if (block !== row.block_number || receipt.transactionHash !== row.mined_hash) {
        await recordMinedLocation(s.db, { id: row.id, hash: receipt.transactionHash, blockNumber: block });
      }
      continue;
    }
    s.logger.warn({ revealTxId: row.id, nonce: row.nonce, hash: row.mined_hash }, "reveal transaction reorged out");
    reopened += 1;
    // A newer transaction already holds this nonce as pending: give the tokens back instead.
    await reopenReveal(s.db, { chainId: s.chainId, row }).catch(async (error) => {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      const flags = await readRevealed(s.chain, { contract: s.contract, ids: row.token_ids.map(BigInt) });
      await abandonReorged(s.db, { chainId: s.chainId, row, unrevealedIds: row.token_ids.filter((_, i) => !flags[i]) });
    });
  }
  return reopened;
}
