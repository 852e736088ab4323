/**
 * The indexer's one BullMQ producer for the `generate` queue. Ponder handlers call `enqueueGenerate`
 * after writing their rows; job ids are deterministic, so a replayed event (reorg, restart, hot
 * reload, Ponder's own retries) finds the job already there and adds nothing (invariant 2).
 */
import { Queue } from "bullmq";
import { type GenerateJobData, generateJobId, QUEUE, stageJobOptions } from "../common/jobs";
import { type OutageLog, outageLog } from "../common/outage-log";
import { producerConnection } from "../common/redis";
import { config } from "./config";
import { logger } from "./logger";

/** Generation retries: 8 attempts from 2 s, doubling (the image provider decides what is transient). */
const GENERATE_JOB_OPTIONS = stageJobOptions(8, 2_000);
const MAX_BACKOFF_MS = 30_000;

type Producer = { key: string; queue: Queue; redis: OutageLog };
// `ponder dev` re-evaluates this module on every reload; the producer lives on globalThis so a
// reload reuses the open connection instead of leaking one.
const slot = Symbol.for("glisk.indexer.generateProducer");
const store = globalThis as typeof globalThis & { [slot]?: Producer };

function producer(): Producer {
  const key = `${config.REDIS_URL}\n${config.QUEUE_PREFIX}`;
  const current = store[slot];
  if (current?.key === key) return current;
  if (current) void current.queue.close().catch(() => {});
  // Producer settings: a command fails within seconds while Redis is down, so the retry loop below
  // decides how long to wait and says so in the log instead of hanging silently.
  const connection = producerConnection(config.REDIS_URL);
  const queue = new Queue<GenerateJobData>(QUEUE.generate, {
    connection,
    prefix: config.QUEUE_PREFIX,
    defaultJobOptions: GENERATE_JOB_OPTIONS,
  });
  const redis = outageLog({ logger, dependency: "redis" });
  queue.on("error", redis.failed);
  connection.on("ready", redis.ok);
  const created = { key, queue, redis };
  store[slot] = created;
  return created;
}

/**
 * Adds one `generate` job per token in one atomic Redis transaction. While Redis is unreachable it
 * retries with capped exponential backoff (one error line when the outage starts, a summary while it
 * lasts): indexing waits rather than dropping work, because a mint whose job is lost would never be
 * revealed.
 */
export async function enqueueGenerate(jobs: GenerateJobData[]): Promise<void> {
  if (jobs.length === 0) return;
  const bulk = jobs.map((data) => ({
    name: QUEUE.generate,
    data,
    opts: { ...GENERATE_JOB_OPTIONS, jobId: generateJobId(data) },
  }));
  for (let attempt = 1; ; attempt++) {
    const { queue, redis } = producer();
    try {
      await queue.addBulk(bulk);
      if (attempt > 1) logger.warn({ attempt, jobs: jobs.length }, "generate jobs enqueued after redis recovered");
      redis.ok();
      return;
    } catch (error) {
      if (attempt === 1) {
        const fields = { err: (error as Error).message, firstJobId: bulk[0]?.opts.jobId, jobs: jobs.length };
        logger.error(fields, "cannot enqueue generate jobs: redis unreachable; indexing is paused until it is back");
      }
      redis.failed(error);
      await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_BACKOFF_MS, 250 * 2 ** (attempt - 1))));
    }
  }
}
