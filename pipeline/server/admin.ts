/** The admin API: manual reveal, token inspection and retry, author prompts, system summary. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { zeroAddress } from "viem";
import { ApiError } from "../../common/http-errors";
import { readTokenChainState } from "../chain/token-reads";
import type { Context } from "../context";
import { setAuthorPrompt } from "../db/authors";
import { getToken, listTokens, statusesOf, tokenHistory } from "../db/token-queries";
import { retryToken } from "../recovery/retry-token";
import { requestReveal } from "../reveal/request";
import { errorResponses, json, jsonBody } from "./responses";
import { addressSchema, authorBody, listQuery, revealBody, tokenIdParams } from "./schemas";
import { systemSummary } from "./system";

const admin = { tags: ["admin"], security: [{ bearer: [] }] };
const Reply = (name: string) => z.looseObject({}).openapi(name);

const routes = {
  reveal: createRoute({
    ...admin,
    method: "post",
    path: "/reveal",
    summary: "Reveal these tokens now (through the single-flight reveal queue)",
    request: { body: jsonBody(revealBody) },
    responses: { 202: json(Reply("RevealRequested"), "reveal requested"), ...errorResponses(400, 401, 404, 415) },
  }),
  tokens: createRoute({
    ...admin,
    method: "get",
    path: "/tokens",
    summary: "Tokens known to the pipeline, by id, paginated",
    request: { query: listQuery },
    responses: { 200: json(Reply("TokenPage"), "a page of tokens and nextCursor"), ...errorResponses(400, 401) },
  }),
  token: createRoute({
    ...admin,
    method: "get",
    path: "/tokens/{id}",
    summary: "Chain state, pipeline state and full history of a token",
    request: { params: tokenIdParams },
    responses: { 200: json(Reply("TokenDetail"), "the token"), ...errorResponses(400, 401, 404) },
  }),
  retry: createRoute({
    ...admin,
    method: "post",
    path: "/tokens/{id}/retry",
    summary: "Send a failed token back to the start of the pipeline",
    request: { params: tokenIdParams },
    responses: { 202: json(Reply("RetryQueued"), "retry queued"), ...errorResponses(400, 401, 404, 409) },
  }),
  author: createRoute({
    ...admin,
    method: "put",
    path: "/authors/{address}",
    summary: "Set a prompt author's prompt",
    request: { params: z.object({ address: addressSchema }), body: jsonBody(authorBody) },
    responses: { 200: json(Reply("AdminPromptStored"), "stored"), ...errorResponses(400, 401, 415) },
  }),
  system: createRoute({
    ...admin,
    method: "get",
    path: "/system",
    summary: "Configuration without secrets, versions, queues, keeper",
    responses: { 200: json(Reply("SystemSummary"), "summary"), ...errorResponses(401) },
  }),
};

/** The admin routes (authentication is the server's `/admin/*` middleware); `ctx` is read only while serving. */
export function adminRoutes(ctx: Context) {
  const app = new OpenAPIHono();
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  const chainId = () => ctx.config.network.chainId;
  return app
    .openapi(routes.reveal, async (c) => {
      const { tokenIds } = c.req.valid("json");
      const statusOf = await statusesOf(ctx.db, { chainId: chainId(), tokenIds });
      const unknown = tokenIds.filter((id) => !statusOf.has(id));
      if (unknown.length > 0) throw new ApiError(404, "unknown_token", `unknown token ids: ${unknown.join(", ")}`);
      await requestReveal(ctx, { trigger: "manual", tokenIds });
      const tokens = tokenIds.map((id) => ({ tokenId: id, status: statusOf.get(id) }));
      return c.json({ requested: true, tokens }, 202);
    })
    .openapi(routes.tokens, async (c) => {
      const q = c.req.valid("query");
      // One extra row tells whether another page exists without a count query.
      const rows = await listTokens(ctx.db, {
        chainId: chainId(),
        status: q.status,
        after: q.cursor,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const nextCursor = rows.length > q.limit ? String(page[page.length - 1]?.token_id) : null;
      return c.json({ tokens: page.map(publicToken), nextCursor }, 200);
    })
    .openapi(routes.token, async (c) => {
      const { id } = c.req.valid("param");
      const key = { chainId: chainId(), tokenId: id };
      const [token, history, chain] = await Promise.all([
        getToken(ctx.db, key),
        tokenHistory(ctx.db, key),
        readTokenChainState(ctx.chain, { contract: ctx.config.network.address, tokenId: BigInt(id) }),
      ]);
      if (!token && !chain.exists) throw new ApiError(404, "unknown_token", `token ${id} does not exist`);
      return c.json(
        {
          tokenId: id,
          chain,
          pipeline: token ? publicToken(token) : null,
          history: history.map((e) => ({
            at: e.at,
            from: e.from_status,
            to: e.to_status,
            stage: e.stage,
            attempt: e.attempt,
            reason: e.reason,
            jobId: e.job_id,
            mintTxHash: e.mint_tx_hash,
          })),
        },
        200,
      );
    })
    .openapi(routes.retry, async (c) => {
      const { id } = c.req.valid("param");
      const key = { chainId: chainId(), tokenId: id };
      const token = await getToken(ctx.db, key);
      if (!token) throw new ApiError(404, "unknown_token", `token ${id} is not known to the pipeline`);
      if (token.status !== "failed") {
        throw new ApiError(409, "not_failed", `token ${id} is ${token.status}; only failed tokens can be retried`);
      }
      const result = await retryToken(ctx, key);
      if (!result.retried) throw new ApiError(409, "not_retried", `token ${id} was not retried: ${result.reason}`);
      const after = await getToken(ctx.db, key);
      return c.json({ tokenId: id, status: after?.status ?? null, stage: result.stage ?? null }, 202);
    })
    .openapi(routes.author, async (c) => {
      const { address } = c.req.valid("param");
      if (address === zeroAddress) {
        // Tokens minted without an author (address 0) are made from DEFAULT_PROMPT, which is configuration.
        throw new ApiError(400, "invalid_author", "the zero address is no author: set DEFAULT_PROMPT instead");
      }
      const { prompt } = c.req.valid("json");
      const author = await setAuthorPrompt(ctx.db, { address, prompt });
      return c.json({ address, promptLength: prompt.length, updatedAt: author.updated_at }, 200);
    })
    .openapi(routes.system, async (c) => c.json(await systemSummary(ctx), 200));
}

type Row = NonNullable<Awaited<ReturnType<typeof getToken>>>;

/** A token row as the API shows it: camelCase, without internal bookkeeping ids. */
function publicToken(t: Row) {
  return {
    tokenId: String(t.token_id),
    status: t.status,
    statusReason: t.status_reason,
    author: t.author,
    minter: t.minter,
    mintTxHash: t.mint_tx_hash,
    mintBlockNumber: t.mint_block_number,
    imageProvider: t.image_provider,
    predictionId: t.prediction_id,
    promptKind: t.prompt_kind,
    /** sha256 of the prompt the image was made from (the prompt itself stays private). */
    promptHash: t.prompt_hash,
    imageCid: t.image_cid,
    imageMime: t.image_mime,
    imageSize: t.image_size,
    metadataCid: t.metadata_cid,
    attempts: { generate: t.generate_attempts, pin: t.pin_attempts, reveal: t.reveal_attempts },
    errors: { generate: t.generate_error, pin: t.pin_error, reveal: t.reveal_error },
    revealTxHash: t.reveal_tx_hash,
    revealBlockNumber: t.reveal_block_number,
    readyAt: t.ready_at,
    createdAt: t.created_at,
    updatedAt: t.updated_at,
  };
}
