/**
 * Per-token progress. Every status change goes through `transition`, which updates the row only
 * from an expected status and records the change in `token_events` in the same transaction, so the
 * history is complete and concurrent workers cannot both move one token.
 */
import type { Db } from "./database";
import type { Token, TokenEvent, TokenStatus, TokenUpdate } from "./schema";

export type TokenKey = { chainId: number; tokenId: string };

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
    await tx
      .insertInto("token_events")
      .values({
        chain_id: p.chainId,
        token_id: p.tokenId,
        mint_tx_hash: p.mintTxHash,
        from_status: existing?.status ?? null,
        to_status: "detected",
        stage: "detect",
        attempt: null,
        reason: fresh.status_reason,
        job_id: p.jobId ?? null,
      })
      .execute();
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
    await tx
      .insertInto("token_events")
      .values({
        chain_id: p.chainId,
        token_id: p.tokenId,
        mint_tx_hash: token.mint_tx_hash,
        from_status: before?.status ?? null,
        to_status: p.to,
        stage: p.stage,
        attempt: p.attempt ?? null,
        reason: p.reason ?? null,
        job_id: p.jobId ?? null,
      })
      .execute();
    return token;
  });
}

/** Updates columns without a status change (e.g. storing a prediction id before waiting on it). */
export async function updateToken(db: Db, key: TokenKey, set: TokenUpdate): Promise<Token | undefined> {
  return db
    .updateTable("tokens")
    .set({ ...set, updated_at: new Date() })
    .where("chain_id", "=", key.chainId)
    .where("token_id", "=", key.tokenId)
    .returningAll()
    .executeTakeFirst();
}

export async function getToken(db: Db, key: TokenKey): Promise<Token | undefined> {
  return db
    .selectFrom("tokens")
    .selectAll()
    .where("chain_id", "=", key.chainId)
    .where("token_id", "=", key.tokenId)
    .executeTakeFirst();
}

/** Every recorded transition of a token, oldest first. */
export async function tokenHistory(db: Db, key: TokenKey): Promise<TokenEvent[]> {
  return db
    .selectFrom("token_events")
    .selectAll()
    .where("chain_id", "=", key.chainId)
    .where("token_id", "=", key.tokenId)
    .orderBy("id")
    .execute();
}
