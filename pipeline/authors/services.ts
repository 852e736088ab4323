/** What the author API's domain logic needs, built once per HTTP app from the pipeline context. */
import type { AppClient } from "@farcaster/auth-client";
import { createAppClient, viemConnector } from "@farcaster/auth-client";
import type { Redis } from "ioredis";
import type { PublicClient } from "viem";
import { ApiError } from "../../common/http-errors";
import type { Logger } from "../../common/logger";
import type { Config } from "../config";
import type { Context } from "../context";
import type { Db } from "../db/database";
import type { AuthorAction } from "./messages";

export type AuthorServices = {
  config: Config;
  db: Db;
  /** The chain the collection lives on: wallet signatures are checked there. */
  chain: PublicClient;
  /** Fail-fast Redis for challenges, OAuth state and seen Farcaster nonces. */
  redis: Redis;
  logger: Logger;
  /** Sign In With Farcaster verification against FARCASTER_RPC_URL; absent when it is not set. */
  farcaster?: AppClient;
  /** Counts a write accepted on a fixed, replayable web-client message. */
  countLegacy: (action: AuthorAction) => void;
  now: () => Date;
};

/** The services of one app; `countLegacy` feeds the metric of that name. */
export function createAuthorServices(ctx: Context, countLegacy: AuthorServices["countLegacy"]): AuthorServices {
  const rpcUrl = ctx.config.FARCASTER_RPC_URL;
  return {
    config: ctx.config,
    db: ctx.db,
    chain: ctx.chain,
    redis: ctx.requestRedis,
    logger: ctx.logger,
    farcaster: rpcUrl ? createAppClient({ ethereum: viemConnector({ rpcUrl }) }) : undefined,
    countLegacy,
    now: () => new Date(),
  };
}

/** Redis key of author-API state under the deployment's prefix: `challenge:<nonce>` → `glisk:authors:challenge:<nonce>`. */
export const authorKey = (s: Pick<AuthorServices, "config">, name: string): string =>
  `${s.config.QUEUE_PREFIX}:authors:${name}`;

/** Runs a Redis call of a request; Redis being unreachable is a 503 the caller can retry, not a 500. */
export async function stateStore<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch {
    throw new ApiError(503, "state_unavailable", "sign-in state cannot be stored or read right now; retry");
  }
}
