/**
 * Hono middleware in front of Ponder's GraphQL: a request whose estimated cost (graphql-cost.ts) is
 * over the limits is answered 400 before Ponder runs a single query, so one request cannot hold the
 * indexer at 100 % CPU or exhaust its heap. Batched requests (a JSON array) are refused too.
 */
import type { MiddlewareHandler } from "hono";
import { type GraphqlCost, GraphqlRejected, graphqlCost } from "./graphql-cost";

export type GraphqlLimits = { maxDepth: number; maxRows: number; maxTokens: number };

type GraphqlBody = { query?: unknown; variables?: unknown; operationName?: unknown };

const refuse = (message: string, cost?: GraphqlCost) =>
  new Response(
    JSON.stringify({ errors: [{ message, extensions: { code: "QUERY_REFUSED", ...(cost ? { cost } : {}) } }] }),
    {
      status: 400,
      headers: { "content-type": "application/json" },
    },
  );

/** Checks a POSTed operation against `limits`; everything else (GraphiQL on GET) passes through. */
export function graphqlGuard(limits: GraphqlLimits): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== "POST") return next();
    // A clone: Ponder's handler reads the original body after us.
    const body = (await c.req.raw
      .clone()
      .json()
      .catch(() => undefined)) as GraphqlBody | GraphqlBody[] | undefined;
    if (Array.isArray(body)) return refuse("batched requests are not accepted");
    if (!body || typeof body.query !== "string") return refuse("the body must be JSON with a `query` string");
    const variables = typeof body.variables === "object" && body.variables !== null ? body.variables : {};
    let cost: GraphqlCost;
    try {
      cost = graphqlCost({
        query: body.query,
        variables: variables as Record<string, unknown>,
        operationName: typeof body.operationName === "string" ? body.operationName : undefined,
        maxTokens: limits.maxTokens,
      });
    } catch (error) {
      if (error instanceof GraphqlRejected) return refuse(error.message);
      throw error;
    }
    if (cost.depth > limits.maxDepth)
      return refuse(`query depth ${cost.depth} is over the limit of ${limits.maxDepth}`, cost);
    if (cost.rows > limits.maxRows)
      return refuse(
        `query would read up to ${cost.rows} rows in ${cost.queries} queries, over the limit of ${limits.maxRows} rows`,
        cost,
      );
    return next();
  };
}
