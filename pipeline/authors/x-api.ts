/**
 * The two X API calls of account linking, in X's wire format: the OAuth 2.0 token request
 * (form-encoded, PKCE `code_verifier`, HTTP Basic when the client has a secret) and `GET /2/users/me`
 * with the user's bearer token. The token is used for that one read and then dropped.
 */
import type { AuthorServices } from "./services";

const TIMEOUT_MS = 10_000;
const X_USERNAME = /^[A-Za-z0-9_]{1,15}$/;

export type XUser = { id: string; username: string };

/** Failure of an X call; its message names the call and status, never a token. */
export class XApiError extends Error {
  override name = "XApiError";
}

async function jsonOf(response: Response, what: string): Promise<unknown> {
  const text = await response.text();
  if (!response.ok) throw new XApiError(`${what} answered ${response.status}: ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new XApiError(`${what} answered ${response.status} with a body that is not JSON`);
  }
}

/** Exchanges an authorization code (and its PKCE verifier) for a user access token. */
export async function exchangeXCode(
  s: Pick<AuthorServices, "config">,
  p: { code: string; verifier: string },
): Promise<string> {
  const { X_CLIENT_ID: clientId, X_CLIENT_SECRET: secret } = s.config;
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  };
  if (secret) headers.authorization = `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}`;
  const response = await fetch(s.config.X_TOKEN_URL, {
    method: "POST",
    headers,
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: p.code,
      redirect_uri: s.config.X_REDIRECT_URI,
      code_verifier: p.verifier,
      client_id: clientId ?? "",
    }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = (await jsonOf(response, "X token request")) as { access_token?: unknown };
  if (typeof body.access_token !== "string" || !body.access_token) {
    throw new XApiError("X token response has no access_token");
  }
  return body.access_token;
}

/** The account the access token belongs to. */
export async function fetchXUser(s: Pick<AuthorServices, "config">, accessToken: string): Promise<XUser> {
  const url = `${s.config.X_API_URL.replace(/\/+$/, "")}/2/users/me`;
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = (await jsonOf(response, "X users/me")) as { data?: { id?: unknown; username?: unknown } };
  const { id, username } = body.data ?? {};
  if (typeof id !== "string" || !/^\d{1,19}$/.test(id) || typeof username !== "string" || !X_USERNAME.test(username)) {
    throw new XApiError("X users/me answered without a valid id and username");
  }
  return { id, username };
}
