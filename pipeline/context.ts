/**
 * Everything a stage needs, built once per process from the parsed config: database, chain client,
 * logger and the BullMQ queues (producers) of every stage.
 */
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { PublicClient } from "viem";
import { QUEUE, type QueueName } from "../common/jobs";
import { createLogger, type Logger } from "../common/logger";
import { producerConnection, workerConnection } from "../common/redis";
import { secretValues } from "../common/secrets";
import { createChainClient } from "./chain/client";
import type { Config } from "./config";
import { createDatabase, type Db } from "./db/database";
import { claimDeployment } from "./db/deployment";

export type Context = {
  config: Config;
  db: Db;
  logger: Logger;
  chain: PublicClient;
  queues: Record<QueueName, Queue>;
  /** Shared connection for producers; workers create their own blocking connections. */
  redis: Redis;
  workerConnection: () => Redis;
  close: () => Promise<void>;
};

export type ContextOverrides = Partial<Pick<Context, "logger" | "chain" | "db">>;

/**
 * Opens the database (migrating it, and refusing one that serves another deployment), Redis and the
 * chain client.
 */
export async function createContext(config: Config, overrides: ContextOverrides = {}): Promise<Context> {
  const logger = overrides.logger ?? createLogger({ level: config.LOG_LEVEL, secrets: secretValues(config) });
  const db = overrides.db ?? (await createDatabase({ url: config.DATABASE_URL, dataDir: config.PIPELINE_DATA_DIR }));
  await claimDeployment(db, config.network).catch(async (error) => {
    if (!overrides.db) await db.destroy();
    throw error;
  });
  const chain = overrides.chain ?? createChainClient(config.network);
  const redis = producerConnection(config.REDIS_URL);
  redis.on("error", (error) => logger.warn({ err: error.message }, "redis producer connection error"));
  const opened: Redis[] = [];
  const queues = Object.fromEntries(
    Object.values(QUEUE).map((name) => [name, new Queue(name, { connection: redis, prefix: config.QUEUE_PREFIX })]),
  ) as Record<QueueName, Queue>;
  return {
    config,
    db,
    logger,
    chain,
    queues,
    redis,
    workerConnection: () => {
      const connection = workerConnection(config.REDIS_URL);
      opened.push(connection);
      return connection;
    },
    close: async () => {
      await Promise.all(Object.values(queues).map((q) => q.close()));
      await Promise.all(opened.map((c) => c.quit().catch(() => c.disconnect())));
      await redis.quit().catch(() => redis.disconnect());
      if (!overrides.db) await db.destroy();
    },
  };
}
