/**
 * Health routes for orchestrators and operators. Answers name what is wrong ("redis unreachable",
 * "indexer 40 blocks (80 s) behind the chain head") without error texts, hosts or credentials. What
 * they ask the RPC and the indexer is cached for HEALTH_CACHE_MS (health-probes.ts).
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { JOB_STATES } from "../../common/jobs";
import type { Context } from "../context";
import { pingDatabase } from "../db/database";
import { createHealthProbes, type HealthProbes, within } from "./health-probes";
import { json } from "./responses";

const passes = (check: () => Promise<unknown>) =>
  within(check()).then(
    () => true,
    () => false,
  );

const Status = z
  .looseObject({ status: z.string(), reason: z.string().optional() })
  .openapi("HealthStatus", { description: "`status` says whether it is fine; `reason` names what is wrong" });

/** A health check: 200 when fine, 503 naming what is wrong. */
const check = (path: string, summary: string) =>
  createRoute({
    method: "get",
    path,
    tags: ["health"],
    summary,
    responses: { 200: json(Status, "fine"), 503: json(Status, "something is wrong (see reason)") },
  });

const routes = {
  live: createRoute({
    method: "get",
    path: "/",
    tags: ["health"],
    summary: "Liveness",
    responses: { 200: json(Status, "the process is up") },
  }),
  ready: check("/ready", "Database, Redis and RPC reachable, and the indexer not lagging"),
  indexer: check("/indexer", "Indexed block vs chain head: ok, syncing (backfill), lagging or unavailable"),
  workers: check("/workers", "Job counts per queue and state"),
  keeper: check("/keeper", "Keeper address, balance and role"),
};

/** The health routes; `ctx` is read only while serving. */
export function healthRoutes(ctx: Context) {
  let cached: HealthProbes | undefined;
  const probes = () => {
    cached ??= createHealthProbes(ctx);
    return cached;
  };
  return new OpenAPIHono()
    .openapi(routes.live, (c) => c.json({ status: "ok" }, 200))
    .openapi(routes.ready, async (c) => {
      const [database, redis, head, indexer] = await Promise.all([
        passes(() => pingDatabase(ctx.db)),
        passes(() => ctx.redis.ping()),
        probes().head(),
        probes().indexer(),
      ]);
      const checks = { database, redis, rpc: head !== undefined };
      const failing = Object.entries(checks)
        .filter(([, ok]) => !ok)
        .map(([name]) => `${name} unreachable`);
      // An indexer that stalls sends no new work: the pipeline is not doing its job either.
      if (indexer.status === "lagging" && indexer.reason) failing.push(indexer.reason);
      const summary = { status: indexer.status, lag: indexer.lag };
      if (failing.length > 0)
        return c.json({ status: "unavailable", reason: failing.join(", "), checks, indexer: summary }, 503);
      return c.json({ status: "ready", checks, indexer: summary }, 200);
    })
    .openapi(routes.indexer, async (c) => {
      const indexer = await probes().indexer();
      if (indexer.status === "unavailable" || indexer.status === "lagging") return c.json(indexer, 503);
      return c.json(indexer, 200);
    })
    .openapi(routes.workers, async (c) => {
      const queues: Record<string, { counts: Record<string, number>; workers: number; paused: boolean }> = {};
      try {
        for (const [name, queue] of Object.entries(ctx.queues)) {
          const [counts, workers, paused] = await within(
            Promise.all([queue.getJobCounts(...JOB_STATES), queue.getWorkersCount(), queue.isPaused()]),
          );
          queues[name] = { counts, workers, paused };
        }
      } catch {
        return c.json({ status: "unavailable", reason: "redis unreachable" }, 503);
      }
      return c.json({ status: "ok", queues }, 200);
    })
    .openapi(routes.keeper, async (c) => {
      // keeperStatus falls back to the last values it saw when the chain is down: probe the RPC too,
      // so an outage is not reported as a healthy keeper.
      const [keeper, head] = await Promise.all([probes().keeper(), probes().head()]);
      if (!keeper) return c.json({ status: "unavailable", reason: "rpc unreachable" }, 503);
      const reason = !keeper.configured
        ? "KEEPER_PRIVATE_KEY is not set"
        : !head || keeper.hasRole === null
          ? "rpc unreachable"
          : !keeper.hasRole
            ? "keeper lacks KEEPER_ROLE"
            : keeper.balanceWei === "0"
              ? "keeper has no balance"
              : keeper.stoppedReason;
      if (reason) return c.json({ status: "unavailable", reason, ...keeper }, 503);
      return c.json({ status: "ok", ...keeper }, 200);
    });
}
