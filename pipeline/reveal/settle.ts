/**
 * Settlement of reveal transactions: what a mined, reverted or lost nonce means for the row and its
 * tokens, and the restart recovery that settles every pending row before anything new is sent.
 */
import { readRevealed } from "../chain/token-reads";
import { keeperTransactions, recordMined, recordNonceLost } from "../db/reveal-transactions";
import type { RevealTransaction } from "../db/schema";
import { reopenReorged } from "./reorg";
import { resumeReveal } from "./send";
import type { Sender } from "./sender";
import type { Outcome } from "./watch";

/** A token whose mined reveal reverted this many times is marked failed instead of retried again. */
export const MAX_REVEAL_ATTEMPTS = 3;

export type Settled = { row: RevealTransaction; outcome: Outcome["kind"]; revealed: number; returned: number };

/** Records the outcome of a reveal transaction on its row and moves its tokens accordingly. */
export async function applyOutcome(s: Sender, p: { row: RevealTransaction; outcome: Outcome }): Promise<Settled> {
  const { row, outcome } = p;
  const base = { chainId: s.chainId, row };
  if (outcome.kind === "lost") {
    // Another transaction used our nonce: the chain tells which ids are revealed (by anyone).
    const ids = row.token_ids;
    const flags = await readRevealed(s.chain, { contract: s.contract, ids: ids.map(BigInt) });
    const settled = await recordNonceLost(s.db, {
      ...base,
      revealedIds: ids.filter((_, i) => flags[i]),
      unrevealedIds: ids.filter((_, i) => !flags[i]),
    });
    return { ...settled, outcome: outcome.kind };
  }
  const settled = await recordMined(s.db, { ...base, receipt: outcome.receipt, maxAttempts: MAX_REVEAL_ATTEMPTS });
  return { ...settled, outcome: outcome.kind };
}

/**
 * Settles every pending row of this keeper, oldest nonce first, before anything new is sent: from
 * the receipt of any of its hashes, or by re-sending it as last signed and watching it through.
 * Recent reveals a reorg took back are reopened first, so they are settled the same way.
 */
export async function settlePending(s: Sender): Promise<Settled[]> {
  await reopenReorged(s);
  const pending = await keeperTransactions(s.db, { chainId: s.chainId, keeper: s.keeper.address, status: "pending" });
  const settled: Settled[] = [];
  for (const row of pending) {
    s.logger.info({ revealTxId: row.id, nonce: row.nonce, hashes: row.hashes }, "settling pending reveal transaction");
    settled.push(await applyOutcome(s, { row, outcome: await resumeReveal(s, row) }));
  }
  return settled;
}
