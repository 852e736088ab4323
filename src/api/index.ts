/**
 * The indexer's HTTP API (Ponder serves it on port 42069): GraphQL at `/graphql` (and `/`), Ponder's
 * SQL-over-HTTP for `@ponder/client` at `/sql/*`, and read-only JSON routes for the common questions.
 */

import { db } from "ponder:api";
import schema from "ponder:schema";
import { Hono } from "hono";
import { client, graphql } from "ponder";
import { authors } from "./authors";
import { onError } from "./errors";
import { tokens } from "./tokens";

const app = new Hono();

app.use("/sql/*", client({ db, schema }));
app.use("/graphql", graphql({ db, schema }));
app.use("/", graphql({ db, schema }));

app.route("/tokens", tokens);
app.route("/authors", authors);
app.onError(onError);

export default app;
