/**
 * Linking an author's X and Farcaster accounts, each signed by the author's wallet (a challenge with
 * action `x` / `farcaster`, or the web client's fixed message with AUTHOR_LEGACY_MESSAGES). Re-linking
 * replaces the handle.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { ApiError } from "../../../common/http-errors";
import { consumeRateLimit } from "../../../common/rate-limit";
import { authorizeWallet } from "../../authors/authorize";
import { farcasterNotConfigured, verifyFarcasterAccount } from "../../authors/farcaster";
import { completeXAuthorization, startXAuthorization } from "../../authors/x-oauth";
import { linkFarcasterAccount } from "../../db/authors";
import { json, jsonBody, publicErrorResponses } from "../responses";
import type { AuthorRouteDeps } from "./deps";
import { FarcasterLinkRequest, FarcasterLinkResponse, XCallbackQuery, XStartRequest, XStartResponse } from "./schemas";

const link = { tags: ["authors"] };

const routes = {
  xStart: createRoute({
    ...link,
    method: "post",
    path: "/x/auth/start",
    summary: "Start linking an X account: the X authorization URL to send the browser to",
    request: { body: jsonBody(XStartRequest) },
    responses: {
      200: json(XStartResponse, "where to send the browser"),
      ...publicErrorResponses(400, 413, 415, 429, 503),
    },
  }),
  xCallback: createRoute({
    ...link,
    method: "get",
    path: "/x/callback",
    summary: "Where X sends the browser back; redirects to FRONTEND_URL/profile with the outcome",
    description:
      "302 to `{FRONTEND_URL}/profile?tab=author&x_linked=true&username=<u>`, or `x_linked=false&error=<code>` " +
      "with access_denied, state_mismatch (unknown, expired or used state), missing_params, exchange_failed or server_error.",
    request: { query: XCallbackQuery },
    responses: { 302: { description: "back to the web client", headers: z.object({ Location: z.string() }) } },
  }),
  farcaster: createRoute({
    ...link,
    method: "post",
    path: "/farcaster/link",
    summary: "Link a Farcaster account by Sign In With Farcaster, checked on the IdRegistry and the fname registry",
    request: { body: jsonBody(FarcasterLinkRequest) },
    responses: {
      200: json(FarcasterLinkResponse, "linked"),
      ...publicErrorResponses(400, 413, 415, 429, 503),
    },
  }),
};

/** Where the X callback sends the browser: the web client's profile page with the outcome. */
function profileUrl(frontendUrl: string, outcome: Record<string, string>): string {
  const url = new URL("/profile", frontendUrl);
  url.search = new URLSearchParams({ tab: "author", ...outcome }).toString();
  return url.toString();
}

export function linkRoutes(deps: AuthorRouteDeps) {
  return new OpenAPIHono()
    .openapi(routes.xStart, async (c) => {
      const s = deps.services;
      if (!s.config.X_CLIENT_ID) {
        throw new ApiError(503, "x_not_configured", "X linking is not configured on this server (X_CLIENT_ID)");
      }
      const body = c.req.valid("json");
      await consumeRateLimit(deps.walletLimit, body.wallet_address.toLowerCase());
      const authorization = await authorizeWallet(s, {
        wallet: body.wallet_address,
        action: "x",
        message: body.message,
        signature: body.signature,
      });
      await authorization.spend();
      return c.json({ authorization_url: await startXAuthorization(s, body.wallet_address) }, 200);
    })
    .openapi(routes.xCallback, async (c) => {
      const result = await completeXAuthorization(deps.services, c.req.valid("query"));
      const outcome: Record<string, string> = result.linked
        ? { x_linked: "true", username: result.username }
        : { x_linked: "false", error: result.error };
      return c.redirect(profileUrl(deps.services.config.FRONTEND_URL, outcome), 302);
    })
    .openapi(routes.farcaster, async (c) => {
      const s = deps.services;
      if (!s.farcaster) throw farcasterNotConfigured();
      const body = c.req.valid("json");
      await consumeRateLimit(deps.walletLimit, body.wallet_address.toLowerCase());
      const wallet = await authorizeWallet(s, {
        wallet: body.wallet_address,
        action: "farcaster",
        message: body.wallet_message,
        signature: body.wallet_signature,
      });
      const account = await verifyFarcasterAccount(s, {
        message: body.farcaster_message,
        signature: body.farcaster_signature,
        fid: body.fid,
        username: body.username,
      });
      await wallet.spend();
      await account.spend();
      await linkFarcasterAccount(s.db, { address: body.wallet_address, handle: account.handle, fid: account.fid });
      s.logger.info({ wallet: body.wallet_address, fid: account.fid, via: wallet.kind }, "Farcaster account linked");
      return c.json({ success: true as const, username: account.handle, fid: account.fid }, 200);
    });
}
