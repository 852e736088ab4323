/** GET /metrics in the Prometheus text format. */
import { Hono } from "hono";
import type { Metrics } from "../metrics";

export function metricsRoutes(metrics: Metrics) {
  return new Hono().get("/", async (c) => {
    const body = await metrics.registry.metrics();
    return c.body(body, 200, { "Content-Type": metrics.registry.contentType });
  });
}
