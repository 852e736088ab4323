/**
 * Every write to per-token progress, one token at a time and in bulk. Every status change updates
 * rows only from an expected status and records the change in `token_events` in the same database
 * transaction (or statement), so the history is complete and concurrent workers cannot both move one
 * token. The hot paths (a new token, a stage's status change) are one statement each: a surge runs
 * them for every token, and each round trip to the database counts. Bulk moves of the reveal stage
 * are in token-moves.ts, reads in token-queries.ts.
 */
import { sql } from "kysely";
import type { Db } from "./database";
import type { Executor, MintKey, Token, TokenKey, TokenStatus, TokenUpdate } from "./schema";

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

/** The columns a history entry is inserted with, in the order the statements below select them. */
const EVENT_COLUMNS = [
  "chain_id",
  "token_id",
  "mint_tx_hash",
  "from_status",
  "to_status",
  "stage",
  "attempt",
  "reason",
  "job_id",
] as const;

/** The columns of a token row freshly detected for the mint in `p`. */
const freshRow = (p: DetectedParameters, reason: string | null) => ({
  mint_tx_hash: p.mintTxHash,
  mint_block_number: p.mintBlockNumber,
  minter: p.minter.toLowerCase(),
  author: p.author.toLowerCase(),
  status: "detected" as const,
  status_reason: reason,
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
});

/**
 * Records a minted token, or returns the existing row untouched when this mint is already known.
 * A row for the same id from another mint (a reorg gave the id to a new mint) is reset to `detected`
 * for the new mint unless it is already revealed, keeping its history.
 */
export async function recordDetected(db: Db, p: DetectedParameters): Promise<{ token: Token; created: boolean }> {
  // The usual case, a token seen for the first time: the row and its history entry in one statement.
  const inserted = await db
    .with("inserted", (q) =>
      q
        .insertInto("tokens")
        .values({ ...freshRow(p, null), chain_id: p.chainId, token_id: p.tokenId })
        .onConflict((oc) => oc.columns(["chain_id", "token_id"]).doNothing())
        .returningAll(),
    )
    .with("event", (q) =>
      q
        .insertInto("token_events")
        .columns(EVENT_COLUMNS)
        .expression((eb) =>
          eb
            .selectFrom("inserted")
            .select((s) => [
              "chain_id",
              "token_id",
              "mint_tx_hash",
              sql<null>`null`.as("from_status"),
              s.val("detected").as("to_status"),
              s.val("detect").as("stage"),
              sql<null>`null`.as("attempt"),
              sql<null>`null`.as("reason"),
              s.val(p.jobId ?? null).as("job_id"),
            ]),
        ),
    )
    .selectFrom("inserted")
    .selectAll()
    .executeTakeFirst();
  if (inserted) return { token: inserted, created: true };
  return db.transaction().execute(async (tx) => {
    const existing = await tx
      .selectFrom("tokens")
      .selectAll()
      .where("chain_id", "=", p.chainId)
      .where("token_id", "=", p.tokenId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (existing.mint_tx_hash === p.mintTxHash || existing.status === "revealed") {
      return { token: existing, created: false };
    }
    const fresh = freshRow(p, `re-minted in ${p.mintTxHash} (previous mint ${existing.mint_tx_hash})`);
    const token = await tx
      .updateTable("tokens")
      .set(fresh)
      .where("chain_id", "=", p.chainId)
      .where("token_id", "=", p.tokenId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordEvent(tx, {
      chainId: p.chainId,
      tokenId: p.tokenId,
      mintTxHash: p.mintTxHash,
      from: existing.status,
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

/**
 * Moves one token between statuses and records it, in one statement: the row is locked (the
 * sub-select), moved only from `from` (and only while it belongs to `mintTxHash`), and its history
 * entry names the status it left. Returns the updated row, or undefined if refused.
 */
export async function transition(db: Db, p: TransitionParameters): Promise<Token | undefined> {
  const row = await db
    .with("moved", (q) => {
      let update = q
        .updateTable("tokens")
        .set({ ...p.set, status: p.to, status_reason: p.reason ?? null, updated_at: new Date() })
        .from((eb) =>
          eb
            .selectFrom("tokens")
            .select("status as prior_status")
            .where("chain_id", "=", p.chainId)
            .where("token_id", "=", p.tokenId)
            .forUpdate()
            .as("prior"),
        )
        .where("tokens.chain_id", "=", p.chainId)
        .where("tokens.token_id", "=", p.tokenId)
        .where("tokens.status", "in", p.from);
      if (p.mintTxHash) update = update.where("tokens.mint_tx_hash", "=", p.mintTxHash);
      return update.returningAll("tokens").returning("prior.prior_status");
    })
    .with("event", (q) =>
      q
        .insertInto("token_events")
        .columns(EVENT_COLUMNS)
        .expression((eb) =>
          eb
            .selectFrom("moved")
            .select((s) => [
              "chain_id",
              "token_id",
              "mint_tx_hash",
              "prior_status",
              s.val(p.to).as("to_status"),
              s.val(p.stage).as("stage"),
              s.val(p.attempt ?? null).as("attempt"),
              s.val(p.reason ?? null).as("reason"),
              s.val(p.jobId ?? null).as("job_id"),
            ]),
        ),
    )
    .selectFrom("moved")
    .selectAll()
    .executeTakeFirst();
  if (!row) return undefined;
  const { prior_status: _, ...token } = row;
  return token;
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
