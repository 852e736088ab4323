/**
 * Database writes of the reveal: the durable intent (transaction row + tokens `revealing`) and its
 * settlement. Token moves are bulk updates guarded by the expected status, each recorded in
 * token_events in the same database transaction, like `transition` does for one token.
 */
import { sql, type Transaction, type UpdateObject } from "kysely";
import type { Fees } from "../reveal/fees";
import type { Sender } from "../reveal/sender";
import type { Db } from "./database";
import { type Database, READY, type RevealTransaction, type RevealTxStatus, type TokenStatus } from "./schema";

/** A token whose mined reveal reverted this many times is marked failed instead of retried again. */
export const MAX_REVEAL_ATTEMPTS = 3;

type Executor = Db | Transaction<Database>;

export type MoveParameters = {
  chainId: number;
  tokenIds: readonly string[];
  from: TokenStatus;
  to: TokenStatus;
  reason?: string | null;
  set?: UpdateObject<Database, "tokens">;
  /** Only tokens tied to this reveal transaction. */
  revealTxId?: number;
  /** Only tokens with at least (or fewer than) this many reveal attempts. */
  attempts?: { atLeast?: number; below?: number };
  jobId?: string | null;
};

/** Moves tokens from one status to another in bulk and records each move; returns the ids moved. */
export async function moveTokens(db: Executor, p: MoveParameters): Promise<string[]> {
  if (p.tokenIds.length === 0) return [];
  let query = db
    .updateTable("tokens")
    .set({ ...p.set, status: p.to, status_reason: p.reason ?? null, updated_at: new Date() })
    .where("chain_id", "=", p.chainId)
    .where("token_id", "in", [...p.tokenIds])
    .where("status", "=", p.from);
  if (p.revealTxId !== undefined) query = query.where("reveal_tx_id", "=", p.revealTxId);
  if (p.attempts?.atLeast !== undefined) query = query.where("reveal_attempts", ">=", p.attempts.atLeast);
  if (p.attempts?.below !== undefined) query = query.where("reveal_attempts", "<", p.attempts.below);
  const moved = await query.returning(["token_id", "mint_tx_hash"]).execute();
  if (moved.length > 0) {
    await db
      .insertInto("token_events")
      .values(
        moved.map((t) => ({
          chain_id: p.chainId,
          token_id: t.token_id,
          mint_tx_hash: t.mint_tx_hash,
          from_status: p.from,
          to_status: p.to,
          stage: "reveal",
          attempt: null,
          reason: p.reason ?? null,
          job_id: p.jobId ?? null,
        })),
      )
      .execute();
  }
  return moved.map((t) => t.token_id);
}

export type IntentParameters = {
  chainId: number;
  keeper: string;
  nonce: number;
  tokens: readonly { tokenId: string; mintTxHash: string; mintBlockNumber: number; uri: string }[];
  fees: Fees;
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
    for (const t of p.tokens) {
      // Preflight may have found the mint moved by a reorg (same author): keep the row on the canonical mint.
      await tx
        .updateTable("tokens")
        .set({ mint_tx_hash: t.mintTxHash, mint_block_number: t.mintBlockNumber })
        .where("chain_id", "=", p.chainId)
        .where("token_id", "=", t.tokenId)
        .where("status", "=", READY)
        .where((eb) =>
          eb.or([eb("mint_tx_hash", "!=", t.mintTxHash), eb("mint_block_number", "!=", t.mintBlockNumber)]),
        )
        .execute();
    }
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
export async function storeReplacement(db: Db, id: number, hash: string, fees: Fees): Promise<void> {
  await db
    .updateTable("reveal_transactions")
    .set({
      hashes: sql`array_append(hashes, ${hash})`,
      max_fee_per_gas: fees.maxFeePerGas.toString(),
      max_priority_fee_per_gas: fees.maxPriorityFeePerGas.toString(),
      updated_at: new Date(),
    })
    .where("id", "=", id)
    .execute();
}

/** This keeper's reveal transactions in one status, oldest nonce first. */
export function keeperTransactions(s: Pick<Sender, "db" | "chainId" | "keeper">, status: RevealTxStatus) {
  return s.db
    .selectFrom("reveal_transactions")
    .selectAll()
    .where("chain_id", "=", s.chainId)
    .where("keeper", "=", s.keeper.address.toLowerCase())
    .where("status", "=", status)
    .orderBy("nonce");
}
