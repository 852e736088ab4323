/**
 * Linking an X account: OAuth 2.0 authorization code with PKCE (S256). The start stores a random
 * `state` in Redis for 10 minutes, bound to the wallet that signed for it and to the PKCE verifier;
 * the callback takes it out again (GETDEL: single use, whatever the outcome), exchanges the code,
 * reads the username and stores it as the author's X handle.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Address } from "viem";
import { linkXAccount } from "../db/authors";
import { type AuthorServices, authorKey, stateStore } from "./services";
import { exchangeXCode, fetchXUser } from "./x-api";

/** Scopes `GET /2/users/me` needs. */
const SCOPE = "tweet.read users.read";

/** Errors X itself may put on the callback (RFC 6749 §4.1.2.1); anything else is reported as access_denied. */
const OAUTH_ERRORS = new Set([
  "access_denied",
  "invalid_request",
  "unauthorized_client",
  "unsupported_response_type",
  "invalid_scope",
  "server_error",
  "temporarily_unavailable",
]);

type PendingLink = { wallet: Address; verifier: string };

const base64url = (bytes: Buffer) => bytes.toString("base64url");

/** Starts linking for `wallet` (whose signature the caller checked): the URL to send the browser to. */
export async function startXAuthorization(s: AuthorServices, wallet: Address): Promise<string> {
  const state = base64url(randomBytes(32));
  const verifier = base64url(randomBytes(32));
  const pending: PendingLink = { wallet, verifier };
  const ttl = s.config.AUTHOR_CHALLENGE_TTL_SECONDS;
  await stateStore(s.redis.set(authorKey(s, `x-state:${state}`), JSON.stringify(pending), "EX", ttl, "NX"));
  const url = new URL(s.config.X_AUTHORIZE_URL);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: s.config.X_CLIENT_ID ?? "",
    redirect_uri: s.config.X_REDIRECT_URI,
    scope: SCOPE,
    state,
    code_challenge: base64url(createHash("sha256").update(verifier).digest()),
    code_challenge_method: "S256",
  }).toString();
  return url.toString();
}

export type XCallbackQuery = { code?: string; state?: string; error?: string };

export type XCallbackResult =
  | { linked: true; username: string }
  | { linked: false; error: "access_denied" | "state_mismatch" | "missing_params" | "exchange_failed" | string };

/** Finishes linking from X's redirect; every failure is a result with an error code, never a throw. */
export async function completeXAuthorization(s: AuthorServices, q: XCallbackQuery): Promise<XCallbackResult> {
  const pending = q.state ? await takePending(s, q.state) : undefined;
  if (q.error) return { linked: false, error: OAUTH_ERRORS.has(q.error) ? q.error : "access_denied" };
  if (!q.code || !q.state) return { linked: false, error: "missing_params" };
  if (pending === "unavailable") return { linked: false, error: "server_error" };
  if (!pending) return { linked: false, error: "state_mismatch" };
  let user: { id: string; username: string };
  try {
    user = await fetchXUser(s, await exchangeXCode(s, { code: q.code, verifier: pending.verifier }));
  } catch (error) {
    s.logger.warn({ err: (error as Error).message }, "X account linking failed");
    return { linked: false, error: "exchange_failed" };
  }
  try {
    await linkXAccount(s.db, { address: pending.wallet, handle: user.username, userId: user.id });
  } catch (error) {
    s.logger.error({ err: (error as Error).message }, "storing an X handle failed");
    return { linked: false, error: "server_error" };
  }
  s.logger.info({ wallet: pending.wallet, username: user.username }, "X account linked");
  return { linked: true, username: user.username };
}

/** The pending link of `state`, removed so it can never be used twice; "unavailable" when Redis is down. */
async function takePending(s: AuthorServices, state: string): Promise<PendingLink | undefined | "unavailable"> {
  try {
    const raw = await stateStore(s.redis.getdel(authorKey(s, `x-state:${state}`)));
    return raw === null ? undefined : (JSON.parse(raw) as PendingLink);
  } catch {
    return "unavailable";
  }
}
