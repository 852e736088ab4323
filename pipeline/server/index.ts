/**
 * The pipeline's operations HTTP server: health, metrics, OpenAPI, the local IPFS gateway and, behind
 * the admin token, the admin API and Bull Board. One sub-app per resource, mounted with `app.route()`.
 */
import type { AddressInfo } from "node:net";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serve } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { timeout } from "hono/timeout";
import { errorBody, jsonErrorHandler } from "../../common/http-errors";
import type { Context } from "../context";
import { adminRoutes } from "./admin";
import { requireAdmin } from "./auth";
import { healthRoutes } from "./health";
import { ipfsRoutes } from "./ipfs-gateway";
import { createMetrics, type Metrics, metricsRoutes } from "./metrics";
import { openApiRoutes } from "./openapi";

const BULL_BOARD_PATH = "/admin/queues";

const requestTimeout = (ms: number) =>
  timeout(ms, () => new HTTPException(504, { message: `the request took longer than ${ms} ms` }));
export const ADMIN_BODY_LIMIT = 64 * 1024;

function bullBoard(ctx: Context) {
  const adapter = new HonoAdapter(serveStatic);
  adapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: Object.values(ctx.queues).map((q) => new BullMQAdapter(q)),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: "GLISK pipeline" } },
  });
  return adapter.registerPlugin();
}

/** Builds the app. Without `metrics`, /metrics serves scrape-time figures only (no event listeners). */
export function createApp(ctx: Context, options: { metrics?: Metrics } = {}): Hono {
  const metrics = options.metrics ?? createMetrics(ctx);
  const app = new Hono();
  // A request that cannot be answered in time gets a 504 instead of holding a connection open.
  app.use("*", requestTimeout(ctx.config.REQUEST_TIMEOUT_MS));
  // Audit trail of operator actions: every state-changing /admin request, without its body.
  app.use("/admin/*", async (c, next) => {
    const started = Date.now();
    await next();
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      const entry = { method: c.req.method, path: c.req.path, status: c.res.status, ms: Date.now() - started };
      ctx.logger.info(entry, "admin request");
    }
  });
  app.use("/admin/*", requireAdmin(ctx.config.ADMIN_API_TOKEN));
  // Admin bodies are a few ids or one prompt; refuse anything larger before it is read.
  app.use(
    "/admin/*",
    bodyLimit({
      maxSize: ADMIN_BODY_LIMIT,
      onError: (c) => c.json(errorBody("payload_too_large", `request body over ${ADMIN_BODY_LIMIT} bytes`), 413),
    }),
  );
  app.route("/health", healthRoutes(ctx));
  app.route("/metrics", metricsRoutes(metrics));
  app.route("/openapi.json", openApiRoutes());
  app.route("/ipfs", ipfsRoutes(ctx));
  app.route(BULL_BOARD_PATH, bullBoard(ctx));
  app.route("/admin", adminRoutes(ctx));
  app.notFound((c) => c.json(errorBody("not_found", "no such route"), 404));
  app.onError(jsonErrorHandler(ctx.logger));
  return app;
}

export type RunningServer = { url: string; port: number; close: () => Promise<void> };

/** Serves the app on HOST:PORT and listens to the queues for metrics; `close` stops both. */
export async function startServer(ctx: Context): Promise<RunningServer> {
  const metrics = createMetrics(ctx);
  await metrics.listen();
  const app = createApp(ctx, { metrics });
  const { HOST: hostname, PORT: port } = ctx.config;
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    // Slow clients (headers dribbled in, a body never finished) are cut off by Node itself.
    const serverOptions = { requestTimeout: ctx.config.REQUEST_TIMEOUT_MS, headersTimeout: 10_000 };
    const s = serve({ fetch: app.fetch, hostname, port, serverOptions }, () => resolve(s));
    s.once("error", reject);
  });
  const bound = (server.address() as AddressInfo).port;
  const url = `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${bound}`;
  ctx.logger.info({ url }, "operations API listening");
  return {
    url,
    port: bound,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive sockets would hold close() open until they time out.
      if ("closeIdleConnections" in server) server.closeIdleConnections();
      await closed;
      await metrics.close();
    },
  };
}
