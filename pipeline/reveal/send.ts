/**
 * Sending one reveal transaction with a durable intent (invariant 5): sign locally, store the row with
 * its hash, then broadcast and watch it; and resuming a row left pending by an earlier process.
 */

import { storeIntent, storeReplacement } from "../db/reveal-transactions";
import type { RevealTransaction } from "../db/schema";
import { broadcast, rowFees, signReveal, signRow } from "./broadcast";
import type { Fees } from "./fees";
import type { Sender } from "./sender";
import { type Outcome, watch } from "./watch";

export type SendParameters = {
  items: readonly { tokenId: string; uri: string; mintTxHash: string; mintBlockNumber: number }[];
  nonce: number;
  gas: bigint;
  fees: Fees;
  jobId?: string | null;
};

/** Stores the intent, broadcasts and watches until the nonce is settled on-chain. */
export async function sendReveal(s: Sender, p: SendParameters): Promise<{ row: RevealTransaction; outcome: Outcome }> {
  const signed = await signReveal(s, {
    tokenIds: p.items.map((i) => i.tokenId),
    uris: p.items.map((i) => i.uri),
    nonce: p.nonce,
    gas: p.gas,
    fees: p.fees,
  });
  const row = await storeIntent(s.db, {
    chainId: s.chainId,
    keeper: s.keeper.address,
    nonce: p.nonce,
    tokens: p.items.map((i) => ({ ...i })),
    fees: p.fees,
    gas: p.gas,
    hash: signed.hash,
    jobId: p.jobId,
  });
  const sent = await broadcast(s.chain, signed.raw);
  s.logger.info(
    { revealTxId: row.id, hash: signed.hash, nonce: p.nonce, tokens: p.items.length, sent },
    "reveal transaction broadcast",
  );
  return { row, outcome: await watch(s, { row, lastBroadcastAt: Date.now() }) };
}

/** Re-sends a pending row as last signed (after a restart the node may have dropped it) and watches it. */
export async function resumeReveal(s: Sender, row: RevealTransaction): Promise<Outcome> {
  const fees = rowFees(row);
  const signed = await signRow(s, { row, fees });
  let current = row;
  if (!row.hashes.includes(signed.hash)) {
    await storeReplacement(s.db, { id: row.id, hash: signed.hash, fees });
    current = { ...row, hashes: [...row.hashes, signed.hash] };
  }
  const used = await s.chain.getTransactionCount({ address: s.keeper.address, blockTag: "latest" });
  if (used <= row.nonce) await broadcast(s.chain, signed.raw);
  const last = Math.max(row.updated_at.getTime(), row.broadcast_at?.getTime() ?? 0);
  return watch(s, { row: current, lastBroadcastAt: last });
}
