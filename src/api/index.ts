/**
 * The indexer's HTTP API (Ponder serves it on port 42069): GraphQL at `/graphql` (and `/`), Ponder's
 * SQL-over-HTTP for `@ponder/client` at `/sql/*` (INDEXER_SQL_ENABLED), and read-only JSON routes for
 * the common questions. GraphQL requests are priced before Ponder runs them, SQL is validated with a
 * secret salt, CORS follows INDEXER_CORS_ORIGINS, and every client IP has a rate limit (docs/security.md).
 */

import { db } from "ponder:api";
import schema from "ponder:schema";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { timeout } from "hono/timeout";
import { client, graphql } from "ponder";
import { config } from "../../indexer/config";
import { corsAllowList } from "../../indexer/cors";
import { graphqlGuard } from "../../indexer/graphql-guard";
import { indexerRateLimit } from "../../indexer/rate-limit";
import { sqlGuard } from "../../indexer/sql-guard";
import { authors } from "./authors";
import { onError } from "./errors";
import { tokens } from "./tokens";

const app = new Hono();
const limits = { maxDepth: config.GRAPHQL_MAX_DEPTH, maxRows: config.GRAPHQL_MAX_ROWS, maxTokens: 1_000 };
// Ponder's own limits stay as a second line behind the guard.
const graphqlOptions = { maxOperationDepth: config.GRAPHQL_MAX_DEPTH, maxOperationTokens: limits.maxTokens };

app.use("*", corsAllowList(config.corsOrigins));
app.use("*", indexerRateLimit());
app.use(
  "*",
  timeout(config.REQUEST_TIMEOUT_MS, () => new HTTPException(504, { message: "the request took too long" })),
);
app.use("/sql/*", sqlGuard({ enabled: config.sqlEnabled }));
app.use("/sql/*", client({ db, schema }));
for (const path of ["/graphql", "/"]) {
  app.use(path, graphqlGuard(limits));
  app.use(path, graphql({ db, schema }, graphqlOptions));
}

app.route("/tokens", tokens);
app.route("/authors", authors);
app.onError(onError);

export default app;
