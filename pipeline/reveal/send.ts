/**
 * Sending one reveal transaction with a durable intent (invariant 5): sign locally, store the row
 * with its hash, then broadcast; watch for a receipt of any hash sent at that nonce, and replace a
 * stuck transaction at the same nonce with bumped fees, storing every new hash before it goes out.
 */
import {
  type Address,
  BaseError,
  encodeFunctionData,
  FeeCapTooLowError,
  type Hash,
  keccak256,
  NonceTooLowError,
  type PublicClient,
  type TransactionReceipt,
  TransactionReceiptNotFoundError,
} from "viem";
import { sendRawTransaction } from "viem/actions";
import { getNodeError } from "viem/utils";
import { GliskNFTAbi } from "../../abis/GliskNFTAbi";
import type { Db } from "../db/database";
import type { RevealTransaction } from "../db/schema";
import type { Keeper } from "../keeper";
import type { Logger } from "../logger";
import { type Fees, replacementFees } from "./fees";
import { storeIntent, storeReplacement } from "./record";

export type Sender = {
  db: Db;
  chain: PublicClient;
  logger: Logger;
  keeper: Keeper;
  chainId: number;
  contract: Address;
  stuckSeconds: number;
  bumpPercent: number;
  cap: bigint;
  pollMs: number;
  /** Aborted when the worker stops: the watch leaves the pending row for the next round to settle. */
  signal?: AbortSignal;
};

export type SignedReveal = { raw: `0x${string}`; hash: Hash };

type SignParameters = { tokenIds: readonly string[]; uris: readonly string[]; nonce: number; gas: bigint; fees: Fees };

/** Signs revealTokens locally; the same inputs always give the same hash (RFC 6979 signatures). */
export async function signReveal(s: Sender, p: SignParameters): Promise<SignedReveal> {
  const data = encodeFunctionData({
    abi: GliskNFTAbi,
    functionName: "revealTokens",
    args: [p.tokenIds.map(BigInt), [...p.uris]],
  });
  const raw = await s.keeper.account.signTransaction({
    type: "eip1559",
    chainId: s.chainId,
    to: s.contract,
    data,
    value: 0n,
    nonce: p.nonce,
    gas: p.gas,
    maxFeePerGas: p.fees.maxFeePerGas,
    maxPriorityFeePerGas: p.fees.maxPriorityFeePerGas,
  });
  return { raw, hash: keccak256(raw) };
}

/**
 * Broadcasts a signed transaction. A node that already has it, or whose nonce is already used, is
 * not an error here: the receipt watch decides what happened at that nonce. `underpriced` means the
 * node refused the fees (below the base fee, or below another transaction at this nonce): the watch
 * replaces it later with higher fees.
 */
export async function broadcast(chain: PublicClient, raw: `0x${string}`): Promise<"sent" | "known" | "underpriced"> {
  try {
    await sendRawTransaction(chain, { serializedTransaction: raw });
    return "sent";
  } catch (error) {
    if (!(error instanceof BaseError)) throw error;
    const node = getNodeError(error, {});
    if (node instanceof NonceTooLowError) return "known";
    // Base fee rose above our max fee since the quote: the watch replaces it at the current price.
    if (node instanceof FeeCapTooLowError) return "underpriced";
    // No viem class for the pool's replacement rule; geth, reth and anvil all say "underpriced".
    if (/underpriced/i.test(error.details ?? error.message)) return "underpriced";
    throw error;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function receiptOf(chain: PublicClient, hashes: readonly string[]): Promise<TransactionReceipt | undefined> {
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
export async function watch(s: Sender, row: RevealTransaction, lastBroadcastAt: number): Promise<Outcome> {
  const hashes = [...row.hashes];
  let fees: Fees = {
    maxFeePerGas: BigInt(row.max_fee_per_gas),
    maxPriorityFeePerGas: BigInt(row.max_priority_fee_per_gas),
  };
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
        const signed = await signReveal(s, {
          tokenIds: row.token_ids,
          uris: row.uris,
          nonce: row.nonce,
          gas: BigInt(row.gas_limit),
          fees: next,
        });
        await storeReplacement(s.db, row.id, signed.hash, next);
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
  return { row, outcome: await watch(s, row, Date.now()) };
}

/** Re-sends a pending row as last signed (after a restart the node may have dropped it) and watches it. */
export async function resumeReveal(s: Sender, row: RevealTransaction): Promise<Outcome> {
  const fees = {
    maxFeePerGas: BigInt(row.max_fee_per_gas),
    maxPriorityFeePerGas: BigInt(row.max_priority_fee_per_gas),
  };
  const signed = await signReveal(s, {
    tokenIds: row.token_ids,
    uris: row.uris,
    nonce: row.nonce,
    gas: BigInt(row.gas_limit),
    fees,
  });
  let current = row;
  if (!row.hashes.includes(signed.hash)) {
    await storeReplacement(s.db, row.id, signed.hash, fees);
    current = { ...row, hashes: [...row.hashes, signed.hash] };
  }
  const used = await s.chain.getTransactionCount({ address: s.keeper.address, blockTag: "latest" });
  if (used <= row.nonce) await broadcast(s.chain, signed.raw);
  const last = Math.max(row.updated_at.getTime(), row.broadcast_at?.getTime() ?? 0);
  return watch(s, current, last);
}
