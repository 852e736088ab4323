/**
 * In front of Ponder's SQL over HTTP (`/sql/db`, `/sql/live`, for `@ponder/client`).
 *
 * Ponder validates each query against an allow-list (one SELECT, this schema's tables, no functions),
 * but remembers its verdicts by a 40-bit prefix of the query's SHA-256: a query whose prefix collides
 * with one already allowed skips validation, and with no parameters node-postgres runs several
 * statements at once. This guard runs the same validator on `/* <per-process secret> *\/ <query>`,
 * so the remembered prefix depends on a secret an attacker cannot know and no collision can be
 * prepared; a comment does not change what the statement is. It also refuses malformed requests
 * before Ponder counts a live query (a leak in that counter otherwise blocks `/sql/live` until a
 * restart). The indexer's Postgres role has no privilege on the pipeline's schema either, so even a
 * query that got through could not read author prompts (docs/security.md).
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { MiddlewareHandler } from "hono";

type Validator = (sql: string) => Promise<void>;

const SECRET = randomBytes(16).toString("hex");
/** Ponder's own limit on a query's length. */
const MAX_SQL_LENGTH = 5_000;

/**
 * Ponder's `validateAllowableSQLQuery`, the function its `/sql/*` middleware calls. It is not exported
 * from the package, so it is loaded from its file (ponder is pinned to an exact version).
 */
async function loadValidator(): Promise<Validator> {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, "node_modules/ponder/dist/esm/utils/sql-parse.js");
    if (existsSync(file)) return (await import(pathToFileURL(file).href)).validateAllowableSQLQuery as Validator;
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error("cannot find ponder's SQL validator (node_modules/ponder/dist/esm/utils/sql-parse.js)");
    dir = parent;
  }
}

let validator: Promise<Validator> | undefined;

const invalid = (message: string) =>
  new Response(JSON.stringify({ error: { code: "invalid_query", message } }), {
    status: 400,
    headers: { "content-type": "application/json" },
  });

/** The SQL text of a `/sql/*` request (`?sql=<superjson of { sql, params }>`), or undefined. */
function sqlOf(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  try {
    const sql = (JSON.parse(raw) as { json?: { sql?: unknown } })?.json?.sql;
    return typeof sql === "string" ? sql : undefined;
  } catch {
    return undefined;
  }
}

/** Validates every `/sql/*` query with a secret salt before Ponder sees it; `enabled: false` closes the route. */
export function sqlGuard({ enabled }: { enabled: boolean }): MiddlewareHandler {
  return async (c, next) => {
    if (!enabled) {
      const message = "SQL over HTTP is disabled on this indexer (INDEXER_SQL_ENABLED=false)";
      return c.json({ error: { code: "not_found", message } }, 404);
    }
    const sql = sqlOf(c.req.query("sql"));
    if (sql === undefined) return invalid("expected ?sql= with the superjson of { sql, params }");
    if (sql.length > MAX_SQL_LENGTH) return invalid(`query is over ${MAX_SQL_LENGTH} characters`);
    validator ??= loadValidator();
    try {
      await (await validator)(`/* ${SECRET} */ ${sql}`);
    } catch (error) {
      return invalid(`query not allowed: ${(error as Error).message}`);
    }
    return next();
  };
}
