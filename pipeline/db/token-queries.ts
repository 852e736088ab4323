/** Reads of per-token progress: one token with its history, pages and counts for recovery, the reveal and the admin API. */
import { sql } from "kysely";
import type { Db } from "./database";
import { READY, type Token, type TokenEvent, type TokenStatus } from "./schema";
import type { TokenKey } from "./tokens";

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

/** The status of each of `tokenIds` the pipeline knows; unknown ids are absent from the map. */
export async function statusesOf(
  db: Db,
  p: { chainId: number; tokenIds: readonly string[] },
): Promise<Map<string, TokenStatus>> {
  if (p.tokenIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("tokens")
    .select(["token_id", "status"])
    .where("chain_id", "=", p.chainId)
    .where("token_id", "in", [...p.tokenIds])
    .execute();
  return new Map(rows.map((t) => [String(t.token_id), t.status]));
}

export type ListTokensParameters = { chainId: number; status?: TokenStatus; after?: string; limit: number };

/** Tokens by ascending id after `after`, at most `limit` (ask for one more to know whether a next page exists). */
export async function listTokens(db: Db, p: ListTokensParameters): Promise<Token[]> {
  let query = db.selectFrom("tokens").selectAll().where("chain_id", "=", p.chainId);
  if (p.status) query = query.where("status", "=", p.status);
  if (p.after) query = query.where("token_id", ">", p.after);
  return query.orderBy("token_id", "asc").limit(p.limit).execute();
}

export type UpstreamStatus = "detected" | "generating" | "generated";

export type UnfinishedParameters = {
  chainId: number;
  after: string;
  limit: number;
  /** Per status, only rows last written before this time; unset: every unfinished row. */
  quietSince?: Record<UpstreamStatus, Date>;
};

/** A page of tokens still before the pin stage's end (detected, generating, generated), by ascending id. */
export async function unfinishedTokens(db: Db, p: UnfinishedParameters): Promise<Token[]> {
  const statuses: UpstreamStatus[] = ["detected", "generating", "generated"];
  let query = db
    .selectFrom("tokens")
    .selectAll()
    .where("chain_id", "=", p.chainId)
    .where("status", "in", statuses)
    .where("token_id", ">", p.after);
  const quiet = p.quietSince;
  if (quiet) {
    query = query.where((eb) =>
      eb.or(statuses.map((status) => eb.and([eb("status", "=", status), eb("updated_at", "<", quiet[status])]))),
    );
  }
  return query.orderBy("token_id").limit(p.limit).execute();
}

/** How many tokens are in each of `statuses` (absent statuses count 0). */
export async function countStatuses<S extends TokenStatus>(
  db: Db,
  p: { chainId: number; statuses: readonly S[] },
): Promise<Record<S, number>> {
  const counts = Object.fromEntries(p.statuses.map((s) => [s, 0])) as Record<S, number>;
  const rows = await db
    .selectFrom("tokens")
    .select(["status", (eb) => eb.fn.countAll<string>().as("n")])
    .where("chain_id", "=", p.chainId)
    .where("status", "in", [...p.statuses])
    .groupBy("status")
    .execute();
  for (const row of rows) counts[row.status as S] = Number(row.n);
  return counts;
}

/** How many rows have an id in [1, below). */
export async function countTokensBelow(db: Db, p: { chainId: number; below: bigint }): Promise<bigint> {
  const row = await db
    .selectFrom("tokens")
    .select((eb) => eb.fn.countAll<string | number>().as("n"))
    .where("chain_id", "=", p.chainId)
    .where("token_id", ">=", "1")
    .where("token_id", "<", p.below.toString())
    .executeTakeFirstOrThrow();
  return BigInt(row.n);
}

/** A page of (id, mint block) with ids in (after, below), ascending. */
export async function mintBlocksPage(
  db: Db,
  p: { chainId: number; after: string; below: bigint; limit: number },
): Promise<{ token_id: string; mint_block_number: number }[]> {
  return db
    .selectFrom("tokens")
    .select(["token_id", "mint_block_number"])
    .where("chain_id", "=", p.chainId)
    .where("token_id", ">", p.after)
    .where("token_id", "<", p.below.toString())
    .orderBy("token_id")
    .limit(p.limit)
    .execute();
}

export type SelectReadyParameters = {
  chainId: number;
  limit: number;
  /** Only these ids (a manual reveal); every ready token otherwise. */
  tokenIds?: readonly string[];
  /** Ids this round already deferred (mint not deep enough yet). */
  exclude?: readonly string[];
};

/** The oldest ready tokens first, at most `limit`. */
export async function selectReady(db: Db, p: SelectReadyParameters): Promise<Token[]> {
  let query = db
    .selectFrom("tokens")
    .selectAll()
    .where("chain_id", "=", p.chainId)
    .where("status", "=", READY)
    .where("metadata_cid", "is not", null);
  if (p.tokenIds) query = query.where("token_id", "in", p.tokenIds.length > 0 ? [...p.tokenIds] : ["-1"]);
  if (p.exclude && p.exclude.length > 0) query = query.where("token_id", "not in", [...p.exclude]);
  return query.orderBy("ready_at").orderBy("token_id").limit(p.limit).execute();
}

export type Backlog = { count: number; oldestReadyAt: Date | null };

/** How many tokens are ready and since when the oldest has waited. */
export async function readyBacklog(db: Db, chainId: number): Promise<Backlog> {
  const row = await db
    .selectFrom("tokens")
    .select([sql<string>`count(*)`.as("count"), sql<Date | null>`min(ready_at)`.as("oldest")])
    .where("chain_id", "=", chainId)
    .where("status", "=", READY)
    .where("metadata_cid", "is not", null)
    .executeTakeFirstOrThrow();
  const oldest = row.oldest === null ? null : new Date(row.oldest);
  return { count: Number(row.count), oldestReadyAt: oldest };
}
