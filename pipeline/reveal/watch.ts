/**
 * Watching a broadcast reveal until its nonce is settled on-chain, replacing it at the same nonce with
 * bumped fees while it is stuck. Every replacement hash is stored before it is broadcast.
 */
import { type Hash, type PublicClient, type TransactionReceipt, TransactionReceiptNotFoundError } from "viem";
import { storeReplacement } from "../db/reveal-transactions";
import type { RevealTransaction } from "../db/schema";
import { broadcast, rowFees, signRow } from "./broadcast";
import { type Fees, replacementFees } from "./fees";
import type { Sender } from "./sender";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The receipt of whichever of `hashes` was mined, if any. */
export async function receiptOf(
  chain: PublicClient,
  hashes: readonly string[],
): Promise<TransactionReceipt | undefined> {
  const receipts = await Promise.all(
    hashes.map((hash) =>
      chain.getTransactionReceipt({ hash: hash as Hash }).catch((error) => {
        if (error instanceof TransactionReceiptNotFoundError) return undefined;
        throw error;
      }),
    ),
  );
  return receipts.find((r) => r !== undefined);
}

/** The worker is shutting down mid-watch; the row stays pending and the next round settles it. */
export class WorkerStoppingError extends Error {
  override name = "WorkerStoppingError";
  constructor() {
    super("reveal worker stopping: the pending transaction is settled by the next round");
  }
}

/** How long a used nonce must go without a receipt of ours before the row counts as lost. */
const LOST_GRACE_MS = 10_000;

export type Outcome = { kind: "mined" | "reverted"; receipt: TransactionReceipt } | { kind: "lost" };

/**
 * Waits until a transaction at the row's nonce is mined: ours (any of its hashes) or another one
 * (`lost`: the nonce was consumed by a transaction we did not record). Replaces after
 * REVEAL_STUCK_SECONDS without a receipt, as often as the fee cap allows.
 */
export async function watch(
  s: Sender,
  { row, lastBroadcastAt }: { row: RevealTransaction; lastBroadcastAt: number },
): Promise<Outcome> {
  const hashes = [...row.hashes];
  let fees: Fees = rowFees(row);
  let since = lastBroadcastAt;
  let consumedSince: number | undefined;
  const log = s.logger.child({ revealTxId: row.id, nonce: row.nonce });
  for (;;) {
    if (s.signal?.aborted) throw new WorkerStoppingError();
    // Nonce first, receipts second: a transaction of ours mined in between is then still seen.
    const used = await s.chain.getTransactionCount({ address: s.keeper.address, blockTag: "latest" });
    const receipt = await receiptOf(s.chain, hashes);
    if (receipt) return { kind: receipt.status === "success" ? "mined" : "reverted", receipt };
    if (used > row.nonce) {
      // Nodes update the account nonce before the receipt is queryable (and load-balanced RPCs lag
      // each other): only a nonce that stays used without any receipt of ours counts as lost.
      consumedSince ??= Date.now();
      if (Date.now() - consumedSince >= LOST_GRACE_MS) return { kind: "lost" };
    } else consumedSince = undefined;
    if (consumedSince === undefined && Date.now() - since >= s.stuckSeconds * 1000) {
      since = Date.now();
      const current = await s.chain.estimateFeesPerGas();
      const next = replacementFees({ previous: fees, current, bumpPercent: s.bumpPercent, cap: s.cap });
      if (!next) {
        log.warn({ maxFeePerGas: fees.maxFeePerGas.toString() }, "reveal transaction stuck at the fee cap; waiting");
      } else {
        const signed = await signRow(s, { row, fees: next });
        await storeReplacement(s.db, { id: row.id, hash: signed.hash, fees: next });
        hashes.push(signed.hash);
        fees = next;
        const sent = await broadcast(s.chain, signed.raw);
        log.warn(
          { hash: signed.hash, replaces: hashes.length - 1, maxFeePerGas: next.maxFeePerGas.toString(), sent },
          "replaced stuck reveal transaction at the same nonce",
        );
      }
    }
    await sleep(s.pollMs);
  }
}
