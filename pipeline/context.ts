/**
 * Everything a stage needs, built once per process from the parsed config: database, chain client,
 * logger and the BullMQ queues (producers) of every stage.
 */
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { PublicClient } from "viem";
import { QUEUE, type QueueName } from "../common/jobs";
import { createLogger, type Logger } from "../common/logger";
import { type OutageLog, outageLog } from "../common/outage-log";
import { producerConnection, requestConnection, workerConnection } from "../common/redis";
import { scrubber } from "../common/scrubber";
import { secretValues } from "../common/secrets";
import { createChainClient } from "./chain/client";
import type { Config } from "./config";
import { createDatabase, type Db } from "./db/database";
import { claimDeployment } from "./db/deployment";
import type { Scrub } from "./errors";

export type Context = {
  config: Config;
  db: Db;
  logger: Logger;
  /** Removes this configuration's secrets from a text before it is stored (database, Redis) or shown. */
  scrub: Scrub;
  chain: PublicClient;
  queues: Record<QueueName, Queue>;
  /** Shared connection for producers; workers create their own blocking connections. */
  redis: Redis;
  /** Fail-fast connection for work inside HTTP requests: rate limits, sign-in challenges, OAuth state. */
  requestRedis: Redis;
  /** One error line when a dependency goes away, a summary while it stays away, one when it is back. */
  outages: { redis: OutageLog; postgres: OutageLog };
  workerConnection: () => Redis;
  close: () => Promise<void>;
};

export type ContextOverrides = Partial<Pick<Context, "logger" | "chain" | "db">>;

/**
 * Opens the database (migrating it, and refusing one that serves another deployment), Redis and the
 * chain client.
 */
export async function createContext(config: Config, overrides: ContextOverrides = {}): Promise<Context> {
  const secrets = secretValues(config);
  const logger = overrides.logger ?? createLogger({ level: config.LOG_LEVEL, secrets });
  const outages = {
    redis: outageLog({ logger, dependency: "redis" }),
    postgres: outageLog({ logger, dependency: "postgres" }),
  };
  const events = { error: outages.postgres.failed, connect: outages.postgres.ok };
  const db =
    overrides.db ?? (await createDatabase({ url: config.DATABASE_URL, dataDir: config.PIPELINE_DATA_DIR, events }));
  await claimDeployment(db, config.network).catch(async (error) => {
    if (!overrides.db) await db.destroy();
    throw error;
  });
  const chain = overrides.chain ?? createChainClient(config.network);
  const watched = (connection: Redis) => connection.on("error", outages.redis.failed).on("ready", outages.redis.ok);
  const redis = watched(producerConnection(config.REDIS_URL));
  const requestRedis = watched(requestConnection(config.REDIS_URL));
  const opened: Redis[] = [];
  const queues = Object.fromEntries(
    Object.values(QUEUE).map((name) => {
      const queue = new Queue(name, { connection: redis, prefix: config.QUEUE_PREFIX });
      queue.on("error", outages.redis.failed);
      return [name, queue];
    }),
  ) as Record<QueueName, Queue>;
  return {
    config,
    db,
    logger,
    scrub: scrubber(secrets),
    chain,
    queues,
    redis,
    requestRedis,
    outages,
    workerConnection: () => {
      const connection = watched(workerConnection(config.REDIS_URL));
      opened.push(connection);
      return connection;
    },
    close: async () => {
      await Promise.all(Object.values(queues).map((q) => q.close()));
      await Promise.all(opened.map((c) => c.quit().catch(() => c.disconnect())));
      await redis.quit().catch(() => redis.disconnect());
      await requestRedis.quit().catch(() => requestRedis.disconnect());
      if (!overrides.db) await db.destroy();
    },
  };
}
