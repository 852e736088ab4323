/**
 * A fake X (Twitter) OAuth 2.0 server speaking X's wire format, for the author API's X linking:
 * - GET /i/oauth2/authorize?response_type=code&client_id&redirect_uri&scope&state&code_challenge
 *   &code_challenge_method=S256 → 302 to redirect_uri with `code` and `state` (the user approves), or
 *   `error=access_denied&state` when `behaviour.deny`; 400 for a bad request (unknown client, no PKCE…).
 * - POST /2/oauth2/token, form-encoded grant_type=authorization_code, code, redirect_uri,
 *   code_verifier, client_id, with HTTP Basic client credentials when the client has a secret →
 *   `{ token_type, expires_in, access_token, scope }`; X's JSON errors otherwise (invalid_request for a
 *   bad, reused or expired code or a verifier that does not match; unauthorized_client without Basic).
 * - GET /2/users/me with `Authorization: Bearer <token>` → `{ data: { id, name, username } }`; 401
 *   as problem+json otherwise.
 * Codes are single use and live 30 seconds, like X's.
 */
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Faults, listen, readBody, send } from "./http";

export type XUser = { id: string; name: string; username: string };
type Grant = { redirectUri: string; challenge: string; user: XUser; issuedAt: number };
type Route = "token" | "me";
type Client = { clientId: string; secret?: string };

const CODE_LIFETIME_MS = 30_000;
const oauthError = (error: string, description: string) => ({ error, error_description: description });

/** Why a token request is refused, or undefined when it is good. */
function refusal(p: Client, req: IncomingMessage, form: URLSearchParams, grant: Grant | undefined) {
  if (!req.headers["content-type"]?.startsWith("application/x-www-form-urlencoded")) {
    return [400, oauthError("invalid_request", "Missing required parameter [grant_type].")] as const;
  }
  const basic = `Basic ${Buffer.from(`${p.clientId}:${p.secret ?? ""}`).toString("base64")}`;
  if (p.secret && req.headers.authorization !== basic) {
    return [401, oauthError("unauthorized_client", "Missing valid authorization header")] as const;
  }
  if (!p.secret && form.get("client_id") !== p.clientId) {
    return [400, oauthError("invalid_request", "Missing required parameter [client_id].")] as const;
  }
  if (form.get("grant_type") !== "authorization_code" || !grant || Date.now() - grant.issuedAt > CODE_LIFETIME_MS) {
    return [400, oauthError("invalid_request", "Value passed for the authorization code was invalid.")] as const;
  }
  if (form.get("redirect_uri") !== grant.redirectUri) {
    return [400, oauthError("invalid_request", "Value passed for the redirect uri did not match.")] as const;
  }
  const verifier = form.get("code_verifier");
  if (!verifier) return [400, oauthError("invalid_request", "Missing required parameter [code_verifier].")] as const;
  if (createHash("sha256").update(verifier).digest("base64url") !== grant.challenge) {
    const text = "Value passed for the code verifier did not match the code challenge.";
    return [400, oauthError("invalid_request", text)] as const;
  }
  return undefined;
}

/** Starts the fake for one registered client; `secret` makes it a confidential client. */
export async function startFakeX(p: Client & { user: XUser }) {
  const codes = new Map<string, Grant>();
  const tokens = new Map<string, XUser>();
  const faults = new Faults<Route>();
  const behaviour = { deny: false, user: p.user };
  const requests: { token: { headers: Record<string, string | undefined>; form: URLSearchParams }[] } = { token: [] };

  /** The user's visit to the consent page: straight back to the app, approved or denied. */
  const authorize = (url: URL, res: ServerResponse) => {
    const q = url.searchParams;
    const redirectUri = q.get("redirect_uri") ?? "";
    if (q.get("client_id") !== p.clientId || !redirectUri || q.get("response_type") !== "code") {
      return send(res, 400, "Something went wrong: invalid client or redirect", { "content-type": "text/plain" });
    }
    if (q.get("code_challenge_method") !== "S256" || !q.get("code_challenge") || !q.get("state")) {
      return send(res, 400, "Something went wrong: PKCE and state are required", { "content-type": "text/plain" });
    }
    const back = new URL(redirectUri);
    const state = q.get("state") ?? "";
    if (behaviour.deny) {
      back.search = new URLSearchParams({ error: "access_denied", state }).toString();
    } else {
      const code = randomBytes(24).toString("base64url");
      const challenge = q.get("code_challenge") ?? "";
      codes.set(code, { redirectUri, challenge, user: behaviour.user, issuedAt: Date.now() });
      back.search = new URLSearchParams({ state, code }).toString();
    }
    res.writeHead(302, { location: back.toString() });
    res.end();
  };

  /** The code exchange; a code is spent by any attempt, good or bad. */
  const token = async (req: IncomingMessage, res: ServerResponse) => {
    const form = new URLSearchParams((await readBody(req)).toString());
    const headers = { authorization: req.headers.authorization, "content-type": req.headers["content-type"] };
    requests.token.push({ headers, form });
    const fault = faults.take("token");
    if (fault) return send(res, fault.status, fault.body ?? oauthError("invalid_request", "injected fault"));
    const code = form.get("code") ?? "";
    const grant = codes.get(code);
    codes.delete(code);
    const refused = refusal(p, req, form, grant);
    if (refused || !grant) return send(res, refused?.[0] ?? 400, refused?.[1]);
    const accessToken = randomBytes(32).toString("base64url");
    tokens.set(accessToken, grant.user);
    const scope = "tweet.read users.read";
    return send(res, 200, { token_type: "bearer", expires_in: 7200, access_token: accessToken, scope });
  };

  const me = (req: IncomingMessage, res: ServerResponse) => {
    const fault = faults.take("me");
    if (fault) return send(res, fault.status, fault.body ?? {}, { "content-type": "application/problem+json" });
    const user = tokens.get((req.headers.authorization ?? "").replace(/^Bearer /, ""));
    if (!user) {
      const problem = { title: "Unauthorized", type: "about:blank", status: 401, detail: "Unauthorized" };
      return send(res, 401, problem, { "content-type": "application/problem+json" });
    }
    return send(res, 200, { data: user });
  };

  const http = await listen(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake-x");
    if (req.method === "GET" && url.pathname === "/i/oauth2/authorize") return authorize(url, res);
    if (req.method === "POST" && url.pathname === "/2/oauth2/token") return token(req, res);
    if (req.method === "GET" && url.pathname === "/2/users/me") return me(req, res);
    send(res, 404, { errors: [{ message: "Sorry, that page does not exist", code: 34 }] });
  });

  return {
    url: http.origin,
    authorizeUrl: `${http.origin}/i/oauth2/authorize`,
    tokenUrl: `${http.origin}/2/oauth2/token`,
    behaviour,
    faults,
    requests,
    close: http.close,
  };
}

export type FakeX = Awaited<ReturnType<typeof startFakeX>>;
