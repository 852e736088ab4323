/**
 * Every write to per-token progress, one token at a time and in bulk. Every status change updates
 * rows only from an expected status and records the change in `token_events` in the same database
 * transaction, so the history is complete and concurrent workers cannot both move one token.
 * Reads are in token-queries.ts.
 */
import type { UpdateObject } from "kysely";
import type { Db } from "./database";
import type { Database, Executor, MintKey, Token, TokenKey, TokenStatus, TokenUpdate } from "./schema";

export type { MintKey, TokenKey };

export type EventParameters = MintKey & {
  from: TokenStatus | null;
  /** Null for a skipped job, which moved the token nowhere. */
  to: TokenStatus | null;
  stage: string;
  attempt?: number | null;
  reason?: string | null;
  jobId?: string | null;
};

/** Appends one row to a token's history (`token_events`). */
export async function recordEvent(db: Executor, p: EventParameters): Promise<void> {
  await db
    .insertInto("token_events")
    .values({
      chain_id: p.chainId,
      token_id: p.tokenId,
      mint_tx_hash: p.mintTxHash,
      from_status: p.from,
      to_status: p.to,
      stage: p.stage,
      attempt: p.attempt ?? null,
      reason: p.reason ?? null,
      job_id: p.jobId ?? null,
    })
    .execute();
}

export type DetectedParameters = TokenKey & {
  mintTxHash: string;
  mintBlockNumber: number;
  minter: string;
  author: string;
  jobId?: string;
};

/**
 * Records a minted token, or returns the existing row untouched when this mint is already known.
 * A row for the same id from another mint (a reorg gave the id to a new mint) is reset to `detected`
 * for the new mint unless it is already revealed, keeping its history.
 */
export async function recordDetected(db: Db, p: DetectedParameters): Promise<{ token: Token; created: boolean }> {
  return db.transaction().execute(async (tx) => {
    const existing = await tx
      .selectFrom("tokens")
      .selectAll()
      .where("chain_id", "=", p.chainId)
      .where("token_id", "=", p.tokenId)
      .forUpdate()
      .executeTakeFirst();
    if (existing && (existing.mint_tx_hash === p.mintTxHash || existing.status === "revealed")) {
      return { token: existing, created: false };
    }
    const fresh = {
      mint_tx_hash: p.mintTxHash,
      mint_block_number: p.mintBlockNumber,
      minter: p.minter.toLowerCase(),
      author: p.author.toLowerCase(),
      status: "detected" as const,
      status_reason: existing ? `re-minted in ${p.mintTxHash} (previous mint ${existing.mint_tx_hash})` : null,
      prompt_hash: null,
      image_provider: null,
      prediction_id: null,
      prompt_kind: null,
      image_cid: null,
      image_mime: null,
      image_size: null,
      image_pinned_at: null,
      metadata_cid: null,
      author_x_handle: null,
      author_farcaster_handle: null,
      generate_error: null,
      pin_error: null,
      reveal_error: null,
      ready_at: null,
      updated_at: new Date(),
    };
    const token = existing
      ? await tx
          .updateTable("tokens")
          .set(fresh)
          .where("chain_id", "=", p.chainId)
          .where("token_id", "=", p.tokenId)
          .returningAll()
          .executeTakeFirstOrThrow()
      : await tx
          .insertInto("tokens")
          .values({ ...fresh, chain_id: p.chainId, token_id: p.tokenId })
          .returningAll()
          .executeTakeFirstOrThrow();
    await recordEvent(tx, {
      chainId: p.chainId,
      tokenId: p.tokenId,
      mintTxHash: p.mintTxHash,
      from: existing?.status ?? null,
      to: "detected",
      stage: "detect",
      reason: fresh.status_reason,
      jobId: p.jobId,
    });
    return { token, created: true };
  });
}

export type TransitionParameters = TokenKey & {
  /** Only move from these statuses; the transition is refused otherwise. */
  from: readonly TokenStatus[];
  to: TokenStatus;
  stage: string;
  /** Only move while the row still belongs to this mint (guards against a concurrent re-mint). */
  mintTxHash?: string;
  reason?: string | null;
  attempt?: number | null;
  jobId?: string | null;
  set?: TokenUpdate;
};

/** Moves one token between statuses and records it. Returns the updated row, or undefined if refused. */
export async function transition(db: Db, p: TransitionParameters): Promise<Token | undefined> {
  return db.transaction().execute(async (tx) => {
    let query = tx
      .updateTable("tokens")
      .set({ ...p.set, status: p.to, status_reason: p.reason ?? null, updated_at: new Date() })
      .where("chain_id", "=", p.chainId)
      .where("token_id", "=", p.tokenId)
      .where("status", "in", p.from);
    if (p.mintTxHash) query = query.where("mint_tx_hash", "=", p.mintTxHash);
    const before = await tx
      .selectFrom("tokens")
      .select("status")
      .where("chain_id", "=", p.chainId)
      .where("token_id", "=", p.tokenId)
      .forUpdate()
      .executeTakeFirst();
    const token = await query.returningAll().executeTakeFirst();
    if (!token) return undefined;
    await recordEvent(tx, { ...p, mintTxHash: token.mint_tx_hash, from: before?.status ?? null });
    return token;
  });
}

/**
 * Column updates a stage makes while it works on one mint of a token. Guarded by the mint: if a reorg
 * gave the token id to another mint meanwhile (recordDetected reset the row), nothing is written, so
 * a stale job can never attach its prediction, CIDs or errors to the new mint's row. Undefined when
 * the row no longer belongs to `p.mintTxHash`.
 */
export async function updateForMint(db: Db, p: MintKey & { set: TokenUpdate }): Promise<Token | undefined> {
  return db
    .updateTable("tokens")
    .set({ ...p.set, updated_at: new Date() })
    .where("chain_id", "=", p.chainId)
    .where("token_id", "=", p.tokenId)
    .where("mint_tx_hash", "=", p.mintTxHash)
    .returningAll()
    .executeTakeFirst();
}

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
