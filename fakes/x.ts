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
import { Faults, listen, readBody, send } from "./http";

export type XUser = { id: string; name: string; username: string };
type Grant = { clientId: string; redirectUri: string; challenge: string; user: XUser; issuedAt: number };
type Route = "token" | "me";

const CODE_LIFETIME_MS = 30_000;

/** Starts the fake for one registered client; `secret` makes it a confidential client. */
export async function startFakeX(p: { clientId: string; secret?: string; user: XUser }) {
  const codes = new Map<string, Grant>();
  const tokens = new Map<string, XUser>();
  const faults = new Faults<Route>();
  const behaviour = { deny: false, user: p.user };
  const requests: { token: { headers: Record<string, string | undefined>; form: URLSearchParams }[] } = { token: [] };
  const oauthError = (error: string, description: string) => ({ error, error_description: description });

  const http = await listen(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake-x");
    if (req.method === "GET" && url.pathname === "/i/oauth2/authorize") {
      const q = url.searchParams;
      const redirectUri = q.get("redirect_uri") ?? "";
      if (q.get("client_id") !== p.clientId || !redirectUri || q.get("response_type") !== "code") {
        return send(res, 400, "Something went wrong: invalid client or redirect", { "content-type": "text/plain" });
      }
      if (q.get("code_challenge_method") !== "S256" || !q.get("code_challenge") || !q.get("state")) {
        return send(res, 400, "Something went wrong: PKCE and state are required", { "content-type": "text/plain" });
      }
      const back = new URL(redirectUri);
      if (behaviour.deny) {
        back.search = new URLSearchParams({ error: "access_denied", state: q.get("state") ?? "" }).toString();
      } else {
        const code = randomBytes(24).toString("base64url");
        const challenge = q.get("code_challenge") ?? "";
        codes.set(code, { clientId: p.clientId, redirectUri, challenge, user: behaviour.user, issuedAt: Date.now() });
        back.search = new URLSearchParams({ state: q.get("state") ?? "", code }).toString();
      }
      res.writeHead(302, { location: back.toString() });
      return void res.end();
    }
    if (req.method === "POST" && url.pathname === "/2/oauth2/token") {
      const form = new URLSearchParams((await readBody(req)).toString());
      requests.token.push({
        headers: { authorization: req.headers.authorization, "content-type": req.headers["content-type"] },
        form,
      });
      const fault = faults.take("token");
      if (fault) return send(res, fault.status, fault.body ?? oauthError("invalid_request", "injected fault"));
      if (!req.headers["content-type"]?.startsWith("application/x-www-form-urlencoded")) {
        return send(res, 400, oauthError("invalid_request", "Missing required parameter [grant_type]."));
      }
      const basic = `Basic ${Buffer.from(`${p.clientId}:${p.secret ?? ""}`).toString("base64")}`;
      if (p.secret && req.headers.authorization !== basic) {
        return send(res, 401, oauthError("unauthorized_client", "Missing valid authorization header"));
      }
      if (!p.secret && form.get("client_id") !== p.clientId) {
        return send(res, 400, oauthError("invalid_request", "Missing required parameter [client_id]."));
      }
      const code = form.get("code") ?? "";
      const grant = codes.get(code);
      codes.delete(code);
      if (form.get("grant_type") !== "authorization_code" || !grant || Date.now() - grant.issuedAt > CODE_LIFETIME_MS) {
        return send(res, 400, oauthError("invalid_request", "Value passed for the authorization code was invalid."));
      }
      if (form.get("redirect_uri") !== grant.redirectUri) {
        return send(
          res,
          400,
          oauthError(
            "invalid_request",
            "Value passed for the redirect uri did not match the uri of the authorization code.",
          ),
        );
      }
      const verifier = form.get("code_verifier");
      if (!verifier)
        return send(res, 400, oauthError("invalid_request", "Missing required parameter [code_verifier]."));
      if (createHash("sha256").update(verifier).digest("base64url") !== grant.challenge) {
        return send(
          res,
          400,
          oauthError("invalid_request", "Value passed for the code verifier did not match the code challenge."),
        );
      }
      const accessToken = randomBytes(32).toString("base64url");
      tokens.set(accessToken, grant.user);
      return send(res, 200, {
        token_type: "bearer",
        expires_in: 7200,
        access_token: accessToken,
        scope: "tweet.read users.read",
      });
    }
    if (req.method === "GET" && url.pathname === "/2/users/me") {
      const fault = faults.take("me");
      if (fault) return send(res, fault.status, fault.body ?? {}, { "content-type": "application/problem+json" });
      const user = tokens.get((req.headers.authorization ?? "").replace(/^Bearer /, ""));
      if (!user) {
        const problem = { title: "Unauthorized", type: "about:blank", status: 401, detail: "Unauthorized" };
        return send(res, 401, problem, { "content-type": "application/problem+json" });
      }
      return send(res, 200, { data: user });
    }
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
