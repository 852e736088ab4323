/**
 * Setting a prompt: `POST /challenge` issues a sign-in challenge for a wallet and action (for a
 * prompt, committing to its sha256), and `POST /prompt` accepts the signed challenge once, or the web
 * client's fixed message when AUTHOR_LEGACY_MESSAGES is on. A refusal changes nothing.
 */
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { consumeRateLimit } from "../../../common/rate-limit";
import { authorizeWallet } from "../../authors/authorize";
import { issueChallenge } from "../../authors/challenges";
import { setAuthorPrompt } from "../../db/authors";
import { json, jsonBody, publicErrorResponses } from "../responses";
import type { AuthorRouteDeps } from "./deps";
import { ChallengeRequest, ChallengeResponse, PromptRequest, PromptResponse } from "./schemas";

const write = { tags: ["authors"] };

const routes = {
  challenge: createRoute({
    ...write,
    method: "post",
    path: "/challenge",
    summary: "A sign-in challenge (EIP-4361) for the wallet to sign: single use, valid 10 minutes",
    request: { body: jsonBody(ChallengeRequest) },
    responses: {
      200: json(ChallengeResponse, "the message to sign"),
      ...publicErrorResponses(400, 413, 415, 429, 503),
    },
  }),
  prompt: createRoute({
    ...write,
    method: "post",
    path: "/prompt",
    summary: "Set the author's prompt, signed by the author's wallet",
    description:
      "`message` is a challenge from `POST /api/authors/challenge` (action `prompt`, the same `prompt_text`), " +
      "signed by `wallet_address`; each challenge is accepted once. With AUTHOR_LEGACY_MESSAGES the web client's " +
      "fixed `Update GLISK prompt for wallet: <address>` is accepted too (replayable). 400 `error.code`s: " +
      "invalid_request, invalid_message, wrong_domain, wrong_chain, wrong_address, expired, not_yet_valid, " +
      "wrong_action, prompt_mismatch, unknown_challenge, message_mismatch, bad_signature, legacy_message_refused.",
    request: { body: jsonBody(PromptRequest) },
    responses: { 200: json(PromptResponse, "stored"), ...publicErrorResponses(400, 413, 415, 429, 503) },
  }),
};

export function promptRoutes(deps: AuthorRouteDeps) {
  return new OpenAPIHono()
    .openapi(routes.challenge, async (c) => {
      const body = c.req.valid("json");
      await consumeRateLimit(deps.walletLimit, body.wallet_address.toLowerCase());
      const { message, expiresAt } = await issueChallenge(deps.services, {
        wallet: body.wallet_address,
        action: body.action,
        promptText: body.prompt_text?.sent,
      });
      return c.json({ message, expires_at: expiresAt.toISOString() }, 200);
    })
    .openapi(routes.prompt, async (c) => {
      const body = c.req.valid("json");
      const wallet = body.wallet_address;
      await consumeRateLimit(deps.walletLimit, wallet.toLowerCase());
      const authorization = await authorizeWallet(deps.services, {
        wallet,
        action: "prompt",
        message: body.message,
        signature: body.signature,
        promptText: body.prompt_text.sent,
      });
      await authorization.spend();
      await setAuthorPrompt(deps.services.db, { address: wallet, prompt: body.prompt_text.prompt });
      deps.services.logger.info({ wallet, via: authorization.kind }, "author prompt set");
      return c.json({ success: true as const, has_prompt: true as const }, 200);
    });
}
