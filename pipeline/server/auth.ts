/**
 * Admin authentication: `Authorization: Bearer <ADMIN_API_TOKEN>` on everything under /admin.
 * Browsers cannot add a bearer header to Bull Board's page and asset requests, so HTTP Basic with the
 * token as password is accepted too, and a 401 under /admin/queues asks the browser for it.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { errorBody } from "../../common/http-errors";

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Constant-time comparison: hashing first makes both sides the same length. */
function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * `<scheme> <credentials>` and nothing else (RFC 9110 §11.4): one space, one credentials token, no
 * trailing text. The scheme is case-insensitive; the credentials are not.
 */
const CREDENTIALS = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*) ([\x21-\x7e]+)$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function presentedToken(header: string | undefined): string | undefined {
  const match = header ? CREDENTIALS.exec(header) : null;
  if (!match) return undefined;
  const [, scheme = "", value = ""] = match;
  if (scheme.toLowerCase() === "bearer") return value;
  if (scheme.toLowerCase() === "basic" && BASE64.test(value) && value.length % 4 === 0) {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}

/**
 * A browser sends cached Basic credentials with requests other sites trigger; a state-changing
 * request that a browser marks as cross-site (Sec-Fetch-Site, or an Origin of another host) is refused.
 */
function crossSiteWrite(c: Context): boolean {
  if (c.req.method === "GET" || c.req.method === "HEAD" || c.req.method === "OPTIONS") return false;
  if (c.req.header("sec-fetch-site") === "cross-site") return true;
  const origin = c.req.header("origin");
  if (!origin) return false;
  try {
    return new URL(origin).host !== new URL(c.req.url).host;
  } catch {
    return true;
  }
}

export type RequireAdminOptions = {
  /** Runs before a refused request is answered; may throw (a rate limit on failed logins). */
  onRefused?: (c: Context) => Promise<void>;
};

/** Refuses every request without the admin token; with no token configured, /admin is closed. */
export function requireAdmin(token: string | undefined, options: RequireAdminOptions = {}): MiddlewareHandler {
  return async (c, next) => {
    const presented = presentedToken(c.req.header("authorization"));
    if (token && presented !== undefined && tokenMatches(presented, token)) {
      if (crossSiteWrite(c)) return c.json(errorBody("cross_site", "cross-site requests cannot change state"), 403);
      return next();
    }
    await options.onRefused?.(c);
    if (c.req.path.startsWith("/admin/queues"))
      c.header("WWW-Authenticate", 'Basic realm="glisk admin", charset="UTF-8"');
    else c.header("WWW-Authenticate", 'Bearer realm="glisk admin"');
    const message = token ? "a valid admin token is required" : "the admin API is disabled: ADMIN_API_TOKEN is not set";
    return c.json(errorBody("unauthorized", message), 401);
  };
}
