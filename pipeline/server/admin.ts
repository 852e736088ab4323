/** The admin API: manual reveal, token inspection and retry, author prompts, system summary. */
import { Hono } from "hono";
import { zeroAddress } from "viem";
import { ApiError } from "../../common/http-errors";
import { readTokenChainState } from "../chain/token-reads";
import type { Context } from "../context";
import { setAuthorPrompt } from "../db/authors";
import { getToken, listTokens, statusesOf, tokenHistory } from "../db/token-queries";
import { retryToken } from "../recovery/retry-token";
import { requestReveal } from "../reveal/request";
import { readJson } from "./read-json";
import { addressSchema, authorBody, listQuery, revealBody, tokenIdParams } from "./schemas";
import { systemSummary } from "./system";

export function adminRoutes(ctx: Context) {
  const chainId = ctx.config.network.chainId;
  return new Hono()
    .post("/reveal", async (c) => {
      const { tokenIds } = revealBody.parse(await readJson(c));
      const statusOf = await statusesOf(ctx.db, { chainId, tokenIds });
      const unknown = tokenIds.filter((id) => !statusOf.has(id));
      if (unknown.length > 0) throw new ApiError(404, "unknown_token", `unknown token ids: ${unknown.join(", ")}`);
      await requestReveal(ctx, { trigger: "manual", tokenIds });
      const tokens = tokenIds.map((id) => ({ tokenId: id, status: statusOf.get(id) }));
      return c.json({ requested: true, tokens }, 202);
    })
    .get("/tokens", async (c) => {
      const q = listQuery.parse(c.req.query());
      // One extra row tells whether another page exists without a count query.
      const rows = await listTokens(ctx.db, { chainId, status: q.status, after: q.cursor, limit: q.limit + 1 });
      const page = rows.slice(0, q.limit);
      const nextCursor = rows.length > q.limit ? String(page[page.length - 1]?.token_id) : null;
      return c.json({ tokens: page.map(publicToken), nextCursor });
    })
    .get("/tokens/:id", async (c) => {
      const { id } = tokenIdParams.parse(c.req.param());
      const key = { chainId, tokenId: id };
      const [token, history, chain] = await Promise.all([
        getToken(ctx.db, key),
        tokenHistory(ctx.db, key),
        readTokenChainState(ctx.chain, { contract: ctx.config.network.address, tokenId: BigInt(id) }),
      ]);
      if (!token && !chain.exists) throw new ApiError(404, "unknown_token", `token ${id} does not exist`);
      return c.json({
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
      });
    })
    .post("/tokens/:id/retry", async (c) => {
      const { id } = tokenIdParams.parse(c.req.param());
      const key = { chainId, tokenId: id };
      const token = await getToken(ctx.db, key);
      if (!token) throw new ApiError(404, "unknown_token", `token ${id} is not known to the pipeline`);
      if (token.status !== "failed") {
        throw new ApiError(409, "not_failed", `token ${id} is ${token.status}; only failed tokens can be retried`);
      }
      const result = await retryToken(ctx, key);
      if (!result.retried) throw new ApiError(409, "not_retried", `token ${id} was not retried: ${result.reason}`);
      const after = await getToken(ctx.db, key);
      return c.json({ tokenId: id, status: after?.status ?? null, stage: result.stage }, 202);
    })
    .put("/authors/:address", async (c) => {
      const address = addressSchema.parse(c.req.param("address"));
      if (address === zeroAddress) {
        // Tokens minted without an author (address 0) are made from DEFAULT_PROMPT, which is configuration.
        throw new ApiError(400, "invalid_author", "the zero address is no author: set DEFAULT_PROMPT instead");
      }
      const { prompt } = authorBody.parse(await readJson(c));
      const author = await setAuthorPrompt(ctx.db, { address: address, prompt: prompt });
      return c.json({ address, promptLength: prompt.length, updatedAt: author.updated_at });
    })
    .get("/system", async (c) => c.json(await systemSummary(ctx)));
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
