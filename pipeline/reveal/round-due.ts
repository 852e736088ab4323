/** Which ready tokens the next reveal transaction carries, and whether a round is due yet. */
import { sql } from "kysely";
import type { Db } from "../db/database";
import { READY, type Token } from "../db/schema";

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

export type DueParameters = { backlog: Backlog; maxTokens: number; waitSeconds: number; now: number };

/**
 * A round is due when a full batch is ready or the oldest ready token has waited long enough;
 * otherwise returns the milliseconds until the oldest token's wait runs out.
 */
export function roundDue(p: DueParameters): { due: true } | { due: false; inMs: number } {
  if (p.backlog.count === 0 || p.backlog.oldestReadyAt === null) return { due: false, inMs: Number.POSITIVE_INFINITY };
  if (p.backlog.count >= p.maxTokens) return { due: true };
  const inMs = p.backlog.oldestReadyAt.getTime() + p.waitSeconds * 1000 - p.now;
  return inMs <= 0 ? { due: true } : { due: false, inMs };
}
