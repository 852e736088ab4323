/**
 * Reveal transaction rows and what their settlement does to their tokens, each in one database
 * transaction: the durable intent (row + tokens `revealing`) stored before broadcast, replacements,
 * and the recorded outcome (mined, reverted, nonce lost, reorged out). Token writes go through
 * token-moves.ts.
 */
import { sql } from "kysely";
import type { TransactionReceipt } from "viem";
import type { Db } from "./database";
import { READY, type RevealTransaction, type RevealTxStatus } from "./schema";
import { type MintLocationUpdate, moveTokens, rebindMints, setRevealLocation } from "./token-moves";

export type FeesColumns = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

export type IntentParameters = {
  chainId: number;
  keeper: string;
  nonce: number;
  tokens: readonly (MintLocationUpdate & { uri: string })[];
  fees: FeesColumns;
  gas: bigint;
  hash: string;
  jobId?: string | null;
};

/** Thrown when a token of the batch changed under us (re-minted, reset by an operator): re-plan the round. */
export class BatchChangedError extends Error {
  override name = "BatchChangedError";
}

/**
 * Stores the reveal intent before anything is broadcast: the transaction row (ids, uris, nonce,
 * fees, gas and the signed hash) and every token `revealing` under it, atomically. The unique
 * pending-nonce index refuses a second live transaction at the same keeper nonce.
 */
export async function storeIntent(db: Db, p: IntentParameters): Promise<RevealTransaction> {
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto("reveal_transactions")
      .values({
        chain_id: p.chainId,
        keeper: p.keeper.toLowerCase(),
        nonce: p.nonce,
        token_ids: p.tokens.map((t) => t.tokenId),
        uris: p.tokens.map((t) => t.uri),
        status: "pending",
        hashes: [p.hash],
        max_fee_per_gas: p.fees.maxFeePerGas.toString(),
        max_priority_fee_per_gas: p.fees.maxPriorityFeePerGas.toString(),
        gas_limit: p.gas.toString(),
        broadcast_at: new Date(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    // Preflight may have found the mint moved by a reorg (same author): keep the row on the canonical mint.
    await rebindMints(tx, { chainId: p.chainId, tokens: p.tokens });
    const moved = await moveTokens(tx, {
      chainId: p.chainId,
      tokenIds: p.tokens.map((t) => t.tokenId),
      from: READY,
      to: "revealing",
      reason: `nonce ${p.nonce}`,
      set: { reveal_tx_id: row.id, reveal_error: null, reveal_attempts: sql`reveal_attempts + 1` },
      jobId: p.jobId,
    });
    if (moved.length !== p.tokens.length) {
      throw new BatchChangedError(`only ${moved.length} of ${p.tokens.length} tokens were still ready`);
    }
    return row;
  });
}

/** Appends a replacement hash (stored before it is broadcast) with the fees it pays. */
export async function storeReplacement(db: Db, p: { id: number; hash: string; fees: FeesColumns }): Promise<void> {
  await db
    .updateTable("reveal_transactions")
    .set({
      hashes: sql`array_append(hashes, ${p.hash})`,
      max_fee_per_gas: p.fees.maxFeePerGas.toString(),
      max_priority_fee_per_gas: p.fees.maxPriorityFeePerGas.toString(),
      updated_at: new Date(),
    })
    .where("id", "=", p.id)
    .execute();
}

export type KeeperTransactionsParameters = {
  chainId: number;
  keeper: string;
  status: RevealTxStatus;
  /** Only rows mined at or after this block. */
  minedSince?: number;
};

/** This keeper's reveal transactions in one status, oldest nonce first. */
export async function keeperTransactions(db: Db, p: KeeperTransactionsParameters): Promise<RevealTransaction[]> {
  let query = db
    .selectFrom("reveal_transactions")
    .selectAll()
    .where("chain_id", "=", p.chainId)
    .where("keeper", "=", p.keeper.toLowerCase())
    .where("status", "=", p.status);
  if (p.minedSince !== undefined) query = query.where("block_number", ">=", p.minedSince);
  return query.orderBy("nonce").execute();
}

export type SettledRows = { row: RevealTransaction; revealed: number; returned: number };

type SettleBase = { chainId: number; row: RevealTransaction };

/** The row's nonce was used by a transaction it did not send: revealed ids stay revealed, the rest are ready again. */
export async function recordNonceLost(
  db: Db,
  p: SettleBase & { revealedIds: readonly string[]; unrevealedIds: readonly string[] },
): Promise<SettledRows> {
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable("reveal_transactions")
      .set({ status: "failed", error: "nonce consumed by a transaction not sent by this row", updated_at: new Date() })
      .where("id", "=", p.row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const common = { chainId: p.chainId, from: "revealing" as const, revealTxId: p.row.id };
    const revealed = await moveTokens(tx, {
      ...common,
      tokenIds: p.revealedIds,
      to: "revealed",
      reason: "revealed on-chain by another transaction",
    });
    const returned = await moveTokens(tx, {
      ...common,
      tokenIds: p.unrevealedIds,
      to: READY,
      reason: `reveal nonce ${p.row.nonce} consumed elsewhere`,
      set: { reveal_tx_id: null },
    });
    return { row, revealed: revealed.length, returned: returned.length };
  });
}

/**
 * The row's transaction was mined. `success`: its tokens are revealed. Reverted (simulation passed
 * but the state changed in between): tokens with `maxAttempts` reveal attempts fail, the rest are
 * ready again.
 */
export async function recordMined(
  db: Db,
  p: SettleBase & { receipt: TransactionReceipt; maxAttempts: number },
): Promise<SettledRows> {
  const { receipt } = p;
  const success = receipt.status === "success";
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable("reveal_transactions")
      .set({
        status: success ? "mined" : "reverted",
        mined_hash: receipt.transactionHash,
        block_number: Number(receipt.blockNumber),
        gas_used: receipt.gasUsed.toString(),
        effective_gas_price: receipt.effectiveGasPrice.toString(),
        error: success ? null : "reverted on-chain",
        updated_at: new Date(),
      })
      .where("id", "=", p.row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const common = { chainId: p.chainId, tokenIds: p.row.token_ids, from: "revealing" as const, revealTxId: p.row.id };
    if (success) {
      const set = {
        reveal_tx_hash: receipt.transactionHash,
        reveal_block_number: Number(receipt.blockNumber),
        reveal_error: null,
      };
      const revealed = await moveTokens(tx, { ...common, to: "revealed", reason: null, set });
      return { row, revealed: revealed.length, returned: 0 };
    }
    const reason = `reveal transaction ${receipt.transactionHash} reverted on-chain`;
    await moveTokens(tx, {
      ...common,
      to: "failed",
      reason: `${reason} (${p.maxAttempts} attempts)`,
      set: { reveal_error: reason },
      attempts: { atLeast: p.maxAttempts },
    });
    const returned = await moveTokens(tx, {
      ...common,
      to: READY,
      reason,
      set: { reveal_error: reason, reveal_tx_id: null },
      attempts: { below: p.maxAttempts },
    });
    return { row, revealed: 0, returned: returned.length };
  });
}

/** A mined reveal found again at another hash or block after a reorg: the row and its tokens follow it. */
export async function recordMinedLocation(db: Db, p: { id: number; hash: string; blockNumber: number }): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const set = { mined_hash: p.hash, block_number: p.blockNumber, updated_at: new Date() };
    await tx.updateTable("reveal_transactions").set(set).where("id", "=", p.id).execute();
    await setRevealLocation(tx, { revealTxId: p.id, hash: p.hash, blockNumber: p.blockNumber });
  });
}

/**
 * A mined reveal a reorg took back: the row is pending again and its tokens `revealing`, so
 * settlement re-sends it. Throws the unique violation when a newer row holds the nonce as pending.
 */
export async function reopenReveal(db: Db, p: SettleBase): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable("reveal_transactions")
      .set({ status: "pending", mined_hash: null, block_number: null, gas_used: null, effective_gas_price: null })
      .where("id", "=", p.row.id)
      .execute();
    await moveTokens(tx, {
      chainId: p.chainId,
      tokenIds: p.row.token_ids,
      from: "revealed",
      to: "revealing",
      reason: `reveal ${p.row.mined_hash} reorged out; re-sending`,
      revealTxId: p.row.id,
    });
  });
}

/** A reorged-out reveal whose nonce another row already uses: the row fails, its unrevealed tokens are ready again. */
export async function abandonReorged(db: Db, p: SettleBase & { unrevealedIds: readonly string[] }): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const error = `reorged out (${p.row.mined_hash}); nonce reused`;
    await tx.updateTable("reveal_transactions").set({ status: "failed", error }).where("id", "=", p.row.id).execute();
    await moveTokens(tx, {
      chainId: p.chainId,
      tokenIds: p.unrevealedIds,
      from: "revealed",
      to: READY,
      reason: `reveal ${p.row.mined_hash} reorged out`,
      set: { reveal_tx_id: null, reveal_tx_hash: null, reveal_block_number: null },
      revealTxId: p.row.id,
    });
  });
}
