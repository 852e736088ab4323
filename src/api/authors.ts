/**
 * `GET /authors/:address/tokens?cursor=&limit=`: an author's tokens by ascending id, keyset-paginated
 * (`cursor` is the last id of the previous page, `nextCursor` is null on the last page).
 * `GET /authors/leaderboard?limit=`: authors by tokens minted, with how many are revealed (address 0 is no author).
 */

import { db } from "ponder:api";
import { author, token } from "ponder:schema";
import { Hono } from "hono";
import { and, asc, desc, eq, gt, ne } from "ponder";
import { zeroAddress } from "viem";
import { z } from "zod";
import { address, limit, tokenId } from "./params";
import { authorJson, tokenJson } from "./serialize";

const pageQuery = z.object({ cursor: tokenId.optional(), limit: limit(50, 200) });

export const authors = new Hono()
  .get("/leaderboard", async (c) => {
    const query = z.object({ limit: limit(20, 100) }).parse(c.req.query());
    const rows = await db
      .select()
      .from(author)
      // Tokens minted for address(0) have no author (they are made from DEFAULT_PROMPT).
      .where(ne(author.id, zeroAddress))
      .orderBy(desc(author.tokensMinted), asc(author.firstMintBlock), asc(author.id))
      .limit(query.limit);
    return c.json({ items: rows.map((row, i) => ({ rank: i + 1, ...authorJson(row) })) });
  })
  .get("/:address/tokens", async (c) => {
    const params = z.object({ address }).parse(c.req.param());
    const query = pageQuery.parse(c.req.query());
    const byAuthor = eq(token.promptAuthor, params.address);
    // One extra row tells whether another page exists without a count query.
    const rows = await db
      .select()
      .from(token)
      .where(query.cursor === undefined ? byAuthor : and(byAuthor, gt(token.id, query.cursor)))
      .orderBy(asc(token.id))
      .limit(query.limit + 1);
    const page = rows.slice(0, query.limit);
    const nextCursor = rows.length > query.limit ? (page.at(-1)?.id.toString() ?? null) : null;
    return c.json({ items: page.map(tokenJson), nextCursor });
  });
