/**
 * Bulk writes of the reveal stage: many tokens moved between statuses at once (each move recorded in
 * `token_events`), their mint refreshed when a reorg moved it, and where their reveal was mined.
 */
import type { UpdateObject } from "kysely";
import type { Database, Executor, TokenStatus } from "./schema";

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

export type MintLocationUpdate = { tokenId: string; mintTxHash: string; mintBlockNumber: number };

/**
 * Points ready tokens at their canonical mint when a reorg moved the mint (same author, so the image
 * stays valid): the reveal records the mint it checked.
 */
export async function rebindMints(db: Executor, p: { chainId: number; tokens: readonly MintLocationUpdate[] }) {
  for (const t of p.tokens) {
    await db
      .updateTable("tokens")
      .set({ mint_tx_hash: t.mintTxHash, mint_block_number: t.mintBlockNumber })
      .where("chain_id", "=", p.chainId)
      .where("token_id", "=", t.tokenId)
      .where("status", "=", "uploaded")
      .where((eb) => eb.or([eb("mint_tx_hash", "!=", t.mintTxHash), eb("mint_block_number", "!=", t.mintBlockNumber)]))
      .execute();
  }
}

/** Records where the reveal of `revealTxId`'s tokens was mined (it moves when a reorg re-includes it). */
export async function setRevealLocation(
  db: Executor,
  p: { revealTxId: number; hash: string; blockNumber: number },
): Promise<void> {
  await db
    .updateTable("tokens")
    .set({ reveal_tx_hash: p.hash, reveal_block_number: p.blockNumber })
    .where("reveal_tx_id", "=", p.revealTxId)
    .execute();
}
