/**
 * Health routes for orchestrators and operators. Answers name what is wrong ("redis unreachable")
 * without error texts, hosts or credentials.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { JOB_STATES } from "../../common/jobs";
import type { Context } from "../context";
import { pingDatabase } from "../db/database";
import { keeperStatus } from "../reveal/keeper";
import { json } from "./responses";

const CHECK_TIMEOUT_MS = 3_000;

async function within<T>(promise: Promise<T>, ms = CHECK_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const passes = (check: () => Promise<unknown>) =>
  within(check()).then(
    () => true,
    () => false,
  );

/** Ponder's /status: `{ [chainName]: { id, block: { number, timestamp } } }`. */
type PonderStatus = Record<string, { id: number; block: { number: number; timestamp: number } }>;

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
  ready: check("/ready", "Database, Redis and RPC reachable"),
  indexer: check("/indexer", "Indexed block vs chain head"),
  workers: check("/workers", "Job counts per queue and state"),
  keeper: check("/keeper", "Keeper address, balance and role"),
};

/** The health routes; `ctx` is read only while serving. */
export function healthRoutes(ctx: Context) {
  return new OpenAPIHono()
    .openapi(routes.live, (c) => c.json({ status: "ok" }, 200))
    .openapi(routes.ready, async (c) => {
      const [database, redis, rpc] = await Promise.all([
        passes(() => pingDatabase(ctx.db)),
        passes(() => ctx.redis.ping()),
        passes(() => ctx.chain.getBlockNumber({ cacheTime: 0 })),
      ]);
      const checks = { database, redis, rpc };
      const failing = Object.entries(checks)
        .filter(([, ok]) => !ok)
        .map(([name]) => `${name} unreachable`);
      if (failing.length > 0) return c.json({ status: "unavailable", reason: failing.join(", "), checks }, 503);
      return c.json({ status: "ready", checks }, 200);
    })
    .openapi(routes.indexer, async (c) => {
      const base = ctx.config.INDEXER_URL.replace(/\/+$/, "");
      const [status, ready, head] = await Promise.all([
        within(fetch(`${base}/status`).then((r) => (r.ok ? (r.json() as Promise<PonderStatus>) : undefined))).catch(
          () => undefined,
        ),
        within(fetch(`${base}/ready`).then((r) => r.status === 200)).catch(() => false),
        within(ctx.chain.getBlockNumber({ cacheTime: 0 })).catch(() => undefined),
      ]);
      const chain = status && Object.values(status).find((s) => s.id === ctx.config.network.chainId);
      const indexedBlock = chain?.block.number ?? null;
      const chainHead = head === undefined ? null : Number(head);
      const lag = indexedBlock !== null && chainHead !== null ? Math.max(0, chainHead - indexedBlock) : null;
      const body = {
        reachable: status !== undefined,
        ready,
        chainId: ctx.config.network.chainId,
        indexedBlock,
        chainHead,
        lag,
      };
      if (!status) return c.json({ ...body, status: "unavailable", reason: "indexer unreachable" }, 503);
      if (chainHead === null) return c.json({ ...body, status: "unavailable", reason: "rpc unreachable" }, 503);
      if (!chain)
        return c.json({ ...body, status: "unavailable", reason: "indexer has not indexed this chain yet" }, 503);
      return c.json({ ...body, status: ready ? "ok" : "syncing" }, 200);
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
      const [keeper, rpc] = await Promise.all([
        within(keeperStatus(ctx)).catch(() => undefined),
        passes(() => ctx.chain.getBlockNumber({ cacheTime: 0 })),
      ]);
      if (!keeper) return c.json({ status: "unavailable", reason: "rpc unreachable" }, 503);
      const reason = !keeper.configured
        ? "KEEPER_PRIVATE_KEY is not set"
        : !rpc || keeper.hasRole === null
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
