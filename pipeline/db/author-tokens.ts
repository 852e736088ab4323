/** Reads for the public author API: the leaderboard and an author's tokens, by the author the chain recorded. */
import { zeroAddress } from "viem";
import type { Db } from "./database";
import type { Token } from "./schema";

export type LeaderboardRow = { author: string; tokens: number };

/**
 * Authors by tokens attributed to them, most first, ties by address; at most `limit`. Tokens minted
 * for the zero address (no author: made from DEFAULT_PROMPT) are not an author's.
 */
export async function authorLeaderboard(db: Db, p: { chainId: number; limit: number }): Promise<LeaderboardRow[]> {
  const rows = await db
    .selectFrom("tokens")
    .select(["author", (eb) => eb.fn.countAll<string>().as("n")])
    .where("chain_id", "=", p.chainId)
    .where("author", "<>", zeroAddress)
    .groupBy("author")
    .orderBy("n", "desc")
    .orderBy("author", "asc")
    .limit(p.limit)
    .execute();
  return rows.map((row) => ({ author: row.author, tokens: Number(row.n) }));
}

export type AuthorTokensParameters = { chainId: number; author: string; offset: number; limit: number };

/** One page of an author's tokens, newest id first, and how many the author has in all. */
export async function authorTokensPage(db: Db, p: AuthorTokensParameters): Promise<{ tokens: Token[]; total: number }> {
  const mine = db.selectFrom("tokens").where("chain_id", "=", p.chainId).where("author", "=", p.author.toLowerCase());
  const [tokens, count] = await Promise.all([
    mine.selectAll().orderBy("token_id", "desc").offset(p.offset).limit(p.limit).execute(),
    mine.select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { tokens, total: Number(count.n) };
}
