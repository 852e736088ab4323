/**
 * Every documented route of the operations server, mounted on one OpenAPIHono. Route modules read
 * their dependencies only while serving, so the same mounting also yields the OpenAPI document
 * without a running pipeline (`openApiDocument`).
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { RateLimit } from "../../common/rate-limit";
import type { AuthorServices } from "../authors/services";
import type { Context } from "../context";
import { adminRoutes } from "./admin";
import { authorRoutes } from "./authors";
import { healthRoutes } from "./health";
import { ipfsRoutes } from "./ipfs-gateway";
import { type Metrics, metricsRoutes } from "./metrics";
import { errorResponses } from "./responses";

export const BULL_BOARD_PATH = "/admin/queues";

export type RouteDeps = {
  ctx: Context;
  metrics: Metrics;
  authors: AuthorServices;
  walletLimit: RateLimit;
};

/** Mounts health, metrics, the IPFS gateway, the admin API and the public author API on `app`. */
export function mountRoutes(app: OpenAPIHono, deps: RouteDeps): void {
  app.route("/health", healthRoutes(deps.ctx));
  app.route("/metrics", metricsRoutes(deps.metrics));
  app.route("/ipfs", ipfsRoutes(deps.ctx));
  app.route("/admin", adminRoutes(deps.ctx));
  app.route("/api/authors", authorRoutes({ services: deps.authors, walletLimit: deps.walletLimit }));
  // Bull Board is a plain Hono app mounted beside these; its page is documented here.
  app.openAPIRegistry.registerPath({
    method: "get",
    path: BULL_BOARD_PATH,
    tags: ["admin"],
    security: [{ bearer: [] }],
    summary: "Bull Board (browser: HTTP Basic with the admin token as password)",
    responses: { 200: { description: "HTML" }, ...errorResponses(401) },
  });
}
