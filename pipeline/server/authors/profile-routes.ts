/**
 * What anyone may read about authors, as the web client reads it: the leaderboard, an author's status
 * (never the prompt) and an author's tokens. Addresses in paths may be in any case; one that is not an
 * address reads as an author with nothing, as the client expects.
 */
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { getAddress, isAddress } from "viem";
import { authorLeaderboard, authorTokensPage } from "../../db/author-tokens";
import { getAuthor } from "../../db/authors";
import { json, publicErrorResponses } from "../responses";
import type { AuthorRouteDeps } from "./deps";
import { AuthorStatus, Leaderboard, TokensPage, TokensQuery, WalletParams } from "./schemas";
import { tokenDto } from "./token-dto";

const LEADERBOARD_SIZE = 50;
const read = { tags: ["authors"] };

const routes = {
  leaderboard: createRoute({
    ...read,
    method: "get",
    path: "/leaderboard",
    summary: "Top 50 authors by tokens minted for them (most first, then by address)",
    responses: {
      200: json(Leaderboard, "the leaderboard; [] when nobody has tokens"),
      503: json(Leaderboard, "the database is unavailable: still an (empty) array, for clients that read it unchecked"),
      ...publicErrorResponses(429),
    },
  }),
  status: createRoute({
    ...read,
    method: "get",
    path: "/{wallet}",
    summary: "Whether the author has a prompt, and the linked handles (the prompt itself is never returned)",
    request: { params: WalletParams },
    responses: { 200: json(AuthorStatus, "the author's status"), ...publicErrorResponses(429) },
  }),
  tokens: createRoute({
    ...read,
    method: "get",
    path: "/{wallet}/tokens",
    summary: "The author's tokens, newest id first, with their progress",
    request: { params: WalletParams, query: TokensQuery },
    responses: { 200: json(TokensPage, "one page and the total"), ...publicErrorResponses(400, 429) },
  }),
};

/** Any-case address as stored (lowercase), or undefined when it is not an address. */
const walletOf = (raw: string) => (isAddress(raw, { strict: false }) ? raw.toLowerCase() : undefined);

export function profileRoutes(deps: AuthorRouteDeps) {
  return new OpenAPIHono()
    .openapi(routes.leaderboard, async (c) => {
      const { db, config, logger } = deps.services;
      try {
        const rows = await authorLeaderboard(db, { chainId: config.network.chainId, limit: LEADERBOARD_SIZE });
        return c.json(
          rows.map((r) => ({ author_address: getAddress(r.author), total_tokens: r.tokens })),
          200,
        );
      } catch (error) {
        logger.error({ err: (error as Error).message }, "leaderboard query failed");
        return c.json([], 503);
      }
    })
    .openapi(routes.status, async (c) => {
      const wallet = walletOf(c.req.valid("param").wallet);
      const author = wallet ? await getAuthor(deps.services.db, wallet) : undefined;
      return c.json(
        {
          has_prompt: author?.prompt != null,
          twitter_handle: author?.x_handle ?? null,
          farcaster_handle: author?.farcaster_handle ?? null,
        },
        200,
      );
    })
    .openapi(routes.tokens, async (c) => {
      const { offset, limit } = c.req.valid("query");
      const wallet = walletOf(c.req.valid("param").wallet);
      if (!wallet) return c.json({ tokens: [], total: 0, offset, limit }, 200);
      const { config, db } = deps.services;
      const page = await authorTokensPage(db, { chainId: config.network.chainId, author: wallet, offset, limit });
      const gateway = config.PUBLIC_IPFS_GATEWAY ?? `${new URL(c.req.url).origin}/ipfs/`;
      const prefix = gateway.endsWith("/") ? gateway : `${gateway}/`;
      return c.json({ tokens: page.tokens.map((t) => tokenDto(t, prefix)), total: page.total, offset, limit }, 200);
    });
}
