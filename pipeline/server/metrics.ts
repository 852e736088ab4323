/**
 * Prometheus metrics of the pipeline (`GET /metrics`), collected without touching stage code: job
 * outcomes and stage latencies from BullMQ's queue event stream, token and reveal figures from the
 * database and queue depths from Redis at scrape time.
 *
 * The event stream is queue-wide, so every replica counts every job: aggregate `glisk_jobs_total`
 * across replicas with max(), not sum().
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { Job, QueueEvents } from "bullmq";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { JOB_STATES, QUEUE, type QueueName } from "../../common/jobs";
import type { Context } from "../context";
import { countByStatus, type RevealSums, revealSums } from "../db/stats";
import { sharedFor } from "./health-probes";

/** Counters the author API increments (per process: sum them across replicas). */
export type ApiCounters = {
  /** Writes accepted on one of the web client's fixed, replayable messages (AUTHOR_LEGACY_MESSAGES). */
  legacySignatures: Counter<"action">;
  /** Requests refused by a rate limit. */
  rateLimited: Counter<"limit">;
};

export type Metrics = {
  registry: Registry;
  api: ApiCounters;
  /** Starts listening to the queues' event streams (call once per process). */
  listen: () => Promise<void>;
  close: () => Promise<void>;
};

type MetricsContext = Pick<Context, "config" | "db" | "queues" | "logger" | "workerConnection" | "outages">;

/** "skipped" when the processor found its work already done (returned "skipped" or `{ status: "skipped" }`). */
function outcomeOf(returnvalue: unknown): "completed" | "skipped" {
  if (returnvalue === "skipped") return "skipped";
  if (typeof returnvalue === "object" && returnvalue !== null) {
    const r = returnvalue as Record<string, unknown>;
    if (r.status === "skipped" || r.outcome === "skipped" || r.skipped === true) return "skipped";
  }
  return "completed";
}

/** Gauges read at scrape time: queue depths from Redis, token and reveal figures from the database. */
function registerGauges(ctx: MetricsContext, registry: Registry): void {
  new Gauge({
    name: "glisk_queue_jobs",
    help: "Jobs per queue and state",
    labelNames: ["queue", "state"],
    registers: [registry],
    async collect() {
      for (const [name, queue] of Object.entries(ctx.queues)) {
        const counts = await queue.getJobCounts(...JOB_STATES);
        for (const state of JOB_STATES) this.set({ queue: name, state }, counts[state] ?? 0);
      }
    },
  });
  const statusGauge = (name: string, help: string, table: "tokens" | "reveal_transactions") =>
    new Gauge({
      name,
      help,
      labelNames: ["status"],
      registers: [registry],
      async collect() {
        const rows = await countByStatus(ctx.db, table);
        this.reset();
        for (const row of rows) this.set({ status: row.status }, row.count);
      },
    });
  statusGauge("glisk_tokens", "Tokens known to the pipeline by status", "tokens");
  statusGauge("glisk_reveal_transactions", "Reveal transactions by status", "reveal_transactions");

  // The three gauges of one scrape share one query.
  const sums = sharedFor(1_000, () => revealSums(ctx.db));
  const sumGauge = (name: string, help: string, pick: (s: RevealSums) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(pick(await sums()));
      },
    });
  sumGauge("glisk_reveal_gas_used_total", "Gas used by mined reveal transactions", (s) => s.gasUsed);
  sumGauge(
    "glisk_reveal_fees_wei_total",
    "Fees paid by mined reveal transactions (gas used × effective gas price), in wei",
    (s) => s.feesWei,
  );
  sumGauge(
    "glisk_reveal_gas_per_token",
    "Average gas per revealed token over mined reveal transactions",
    (s) => s.gasPerToken,
  );
}

function apiCounters(registry: Registry): ApiCounters {
  const legacySignatures = new Counter({
    name: "glisk_author_legacy_signatures_total",
    help: "Author writes accepted on the web client's fixed, replayable messages, by action",
    labelNames: ["action"],
    registers: [registry],
  });
  for (const action of ["prompt", "x", "farcaster"]) legacySignatures.inc({ action }, 0);
  const rateLimited = new Counter({
    name: "glisk_api_rate_limited_total",
    help: "Requests refused by a rate limit, by limit (ip and wallet on /api, ops elsewhere)",
    labelNames: ["limit"],
    registers: [registry],
  });
  for (const limit of ["ip", "wallet", "ops"]) rateLimited.inc({ limit }, 0);
  return { legacySignatures, rateLimited };
}

/** Creates the metrics registry for one pipeline process. */
export function createMetrics(ctx: MetricsContext): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "glisk_process_" });
  const jobs = new Counter({
    name: "glisk_jobs_total",
    help: "Finished jobs by stage and outcome (completed, skipped, failed after the last attempt)",
    labelNames: ["stage", "outcome"],
    registers: [registry],
  });
  for (const stage of Object.values(QUEUE)) {
    for (const outcome of ["completed", "skipped", "failed"]) jobs.inc({ stage, outcome }, 0);
  }
  const latency = new Histogram({
    name: "glisk_stage_duration_seconds",
    help: "Processing time of a finished job attempt, by stage and outcome",
    labelNames: ["stage", "outcome"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300],
    registers: [registry],
  });
  registerGauges(ctx, registry);
  const api = apiCounters(registry);

  const listeners: QueueEvents[] = [];
  const observe = async (stage: QueueName, jobId: string, outcome: string) => {
    jobs.inc({ stage, outcome });
    const job = await Job.fromId(ctx.queues[stage], jobId).catch(() => undefined);
    if (job?.processedOn && job.finishedOn && job.finishedOn >= job.processedOn) {
      latency.observe({ stage, outcome }, (job.finishedOn - job.processedOn) / 1000);
    }
  };
  return {
    registry,
    api,
    listen: async () => {
      for (const stage of Object.values(QUEUE)) {
        const events = new QueueEvents(stage, { connection: ctx.workerConnection(), prefix: ctx.config.QUEUE_PREFIX });
        events.on("error", ctx.outages.redis.failed);
        events.on("completed", ({ jobId, returnvalue }) => void observe(stage, jobId, outcomeOf(returnvalue)));
        events.on("failed", ({ jobId }) => void observe(stage, jobId, "failed"));
        listeners.push(events);
      }
      await Promise.all(listeners.map((l) => l.waitUntilReady()));
    },
    close: async () => {
      await Promise.all(listeners.splice(0).map((l) => l.close()));
    },
  };
}

const scrape = createRoute({
  method: "get",
  path: "/",
  tags: ["health"],
  summary: "Prometheus metrics",
  responses: { 200: { description: "metrics", content: { "text/plain": { schema: z.string() } } } },
});

/** GET /metrics in the Prometheus text format; `metrics` is read only while serving. */
export function metricsRoutes(metrics: Metrics) {
  return new OpenAPIHono().openapi(scrape, async (c) => {
    const body = await metrics.registry.metrics();
    return c.text(body, 200, { "Content-Type": metrics.registry.contentType });
  });
}
