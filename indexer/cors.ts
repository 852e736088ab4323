/**
 * The indexer's CORS as an allow-list (INDEXER_CORS_ORIGINS). Ponder's server answers every response
 * with `Access-Control-Allow-Origin: *` before the app runs, so this runs after the route and
 * rewrites the header: a listed origin gets itself back, any other origin gets no header, and the
 * browser refuses to hand the response to that page. `*` in the list allows every origin.
 *
 * Ponder answers CORS preflights and its reserved routes (/health, /ready, /status, /metrics) itself,
 * before any app middleware: those keep `*` (they carry no private data; docs/security.md).
 */
import type { MiddlewareHandler } from "hono";

export function corsAllowList(origins: readonly string[]): MiddlewareHandler {
  const any = origins.includes("*");
  const allowed = new Set(origins);
  return async (c, next) => {
    await next();
    const origin = c.req.header("origin");
    const headers = c.res.headers;
    // graphql-yoga adds this; credentials are never part of a public read API.
    headers.delete("Access-Control-Allow-Credentials");
    if (any) {
      headers.set("Access-Control-Allow-Origin", "*");
      return;
    }
    headers.append("Vary", "Origin");
    if (origin && allowed.has(origin)) headers.set("Access-Control-Allow-Origin", origin);
    else headers.delete("Access-Control-Allow-Origin");
  };
}
