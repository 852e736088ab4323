/**
 * The pipeline's HTTP server: the public author API (`/api/*`, what the GLISK web client calls) and
 * the operations side: health, metrics, OpenAPI, the local IPFS gateway and, behind the admin token,
 * the admin API and Bull Board. One sub-app per resource, mounted with `app.route()` (routes.ts).
 */
import type { AddressInfo } from "node:net";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serve } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context as HonoContext, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { timeout } from "hono/timeout";
import { clientIp } from "../../common/client-ip";
import { consumeRateLimit, createRateLimit, type RateLimit, rateLimit } from "../../common/rate-limit";
import { createAuthorServices } from "../authors/services";
import type { Context } from "../context";
import { requireAdmin } from "./auth";
import { errorBodyFor, errorHandler, notFound, validationHook } from "./errors";
import { createMetrics, type Metrics } from "./metrics";
import { documentOf } from "./openapi";
import { BULL_BOARD_PATH, mountRoutes } from "./routes";

const requestTimeout = (ms: number) =>
  timeout(ms, () => new HTTPException(504, { message: `the request took longer than ${ms} ms` }));

export const ADMIN_BODY_LIMIT = 64 * 1024;
export const PUBLIC_BODY_LIMIT = 16 * 1024;

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

/** Refuses bodies over `maxSize` before they are read, in the path's error shape. */
const limitBody = (maxSize: number): MiddlewareHandler =>
  bodyLimit({
    maxSize,
    onError: (c) => c.json(errorBodyFor(c, "payload_too_large", `request body over ${maxSize} bytes`), 413),
  });

/** Per-IP and per-wallet limits of the public API, and the per-IP limit of every other route, counted in Redis across replicas. */
function apiLimits(ctx: Context, metrics: Metrics): { ip: RateLimit; wallet: RateLimit; ops: RateLimit } {
  const { config } = ctx;
  const common = {
    keyPrefix: `${config.QUEUE_PREFIX}:ratelimit`,
    durationSeconds: config.API_RATE_LIMIT_WINDOW_SECONDS,
    onLimited: (limit: string) => metrics.api.rateLimited.inc({ limit }),
  };
  return {
    ip: createRateLimit(ctx.requestRedis, { ...common, name: "ip", points: config.API_RATE_LIMIT_PER_IP }),
    wallet: createRateLimit(ctx.requestRedis, { ...common, name: "wallet", points: config.API_RATE_LIMIT_PER_WALLET }),
    ops: createRateLimit(ctx.requestRedis, { ...common, name: "ops", points: config.OPS_RATE_LIMIT_PER_IP }),
  };
}

/** Audit trail of operator actions: every state-changing /admin request, without its body. */
function adminAudit(ctx: Context): MiddlewareHandler {
  return async (c, next) => {
    const started = Date.now();
    await next();
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      const entry = { method: c.req.method, path: c.req.path, status: c.res.status, ms: Date.now() - started };
      ctx.logger.info(entry, "admin request");
    }
  };
}

/** Builds the app. Without `metrics`, /metrics serves scrape-time figures only (no event listeners). */
export function createApp(ctx: Context, options: { metrics?: Metrics } = {}): OpenAPIHono {
  const metrics = options.metrics ?? createMetrics(ctx);
  const limits = apiLimits(ctx, metrics);
  const authors = createAuthorServices(ctx, (action) => metrics.api.legacySignatures.inc({ action }));
  const app = new OpenAPIHono({ defaultHook: validationHook });
  // A request that cannot be answered in time gets a 504 instead of holding a connection open.
  app.use("*", requestTimeout(ctx.config.REQUEST_TIMEOUT_MS));
  const trustProxyHops = ctx.config.TRUST_PROXY_HOPS;
  const ip = (c: HonoContext) => clientIp(c, { trustProxyHops });
  // Everything outside /api (limited below) and /admin (only refused logins count) has one per-IP limit.
  app.use("*", async (c, next) => {
    if (!c.req.path.startsWith("/api/") && !c.req.path.startsWith("/admin/")) await consumeRateLimit(limits.ops, ip(c));
    await next();
  });
  app.use("/admin/*", adminAudit(ctx));
  app.use(
    "/admin/*",
    requireAdmin(ctx.config.ADMIN_API_TOKEN, { onRefused: (c) => consumeRateLimit(limits.ops, ip(c)) }),
  );
  // Admin bodies are a few ids or one prompt; refuse anything larger before it is read.
  app.use("/admin/*", limitBody(ADMIN_BODY_LIMIT));
  // CORS first, so a browser's preflight is answered without counting against the limit.
  if (ctx.config.PUBLIC_CORS_ORIGINS.length > 0) {
    app.use("/api/*", cors({ origin: ctx.config.PUBLIC_CORS_ORIGINS, allowMethods: ["GET", "POST"], maxAge: 600 }));
  }
  app.use("/api/*", limitBody(PUBLIC_BODY_LIMIT));
  app.use("/api/*", rateLimit(limits.ip, ip));
  mountRoutes(app, { ctx, metrics, authors, walletLimit: limits.wallet });
  app.route(BULL_BOARD_PATH, bullBoard(ctx));
  app.get("/openapi.json", (c) => c.json(documentOf(app, new URL(c.req.url).origin)));
  app.notFound(notFound);
  app.onError(errorHandler(ctx.logger));
  return app;
}

export type RunningServer = { url: string; port: number; close: () => Promise<void> };

/** Serves the app on HOST:PORT and listens to the queues for metrics; `close` stops both. */
export async function startServer(ctx: Context): Promise<RunningServer> {
  const metrics = createMetrics(ctx);
  await metrics.listen();
  if (ctx.config.AUTHOR_LEGACY_MESSAGES) {
    ctx.logger.warn(
      "AUTHOR_LEGACY_MESSAGES is on: the web client's fixed messages are accepted, and a captured signature of one can be replayed (counted in glisk_author_legacy_signatures_total)",
    );
  }
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
