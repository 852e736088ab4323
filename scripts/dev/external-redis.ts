/**
 * An external Redis (REDIS_URL) as `npm run dev` uses it: checked before use, and emptied of the
 * previous chain's jobs. These need ioredis and BullMQ, so dev runs them in a step child
 * (scripts/dev/steps.ts); the benchmarks call them directly.
 */
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { QUEUE } from "../../common/jobs";

/** Whether `url` answers PING within a few seconds. */
export async function redisReachable(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 3_000,
    retryStrategy: () => null,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Removes every job of the three queues under `prefix`. */
export async function emptyQueues(url: string, prefix: string): Promise<void> {
  for (const name of Object.values(QUEUE)) {
    const queue = new Queue(name, { connection: { url, maxRetriesPerRequest: 1 }, prefix });
    await queue.obliterate({ force: true });
    await queue.close();
  }
}
