/** What sending and watching a reveal transaction needs: clients, keeper, and the fee and stuck policy. */
import type { Address, PublicClient } from "viem";
import type { Logger } from "../../common/logger";
import type { Context } from "../context";
import type { Db } from "../db/database";
import { feeCap } from "./fees";
import type { Keeper } from "./keeper";

export type Sender = {
  db: Db;
  chain: PublicClient;
  logger: Logger;
  keeper: Keeper;
  chainId: number;
  contract: Address;
  stuckSeconds: number;
  bumpPercent: number;
  cap: bigint;
  pollMs: number;
  /** Aborted when the worker stops: the watch leaves the pending row for the next round to settle. */
  signal?: AbortSignal;
};

/** The sender settings for this context's chain and keeper. */
export function senderFor(ctx: Context, { keeper, signal }: { keeper: Keeper; signal?: AbortSignal }): Sender {
  const c = ctx.config;
  return {
    db: ctx.db,
    chain: ctx.chain,
    logger: ctx.logger.child({ stage: "reveal" }),
    keeper,
    chainId: c.network.chainId,
    contract: c.network.address,
    stuckSeconds: c.REVEAL_STUCK_SECONDS,
    bumpPercent: c.REVEAL_FEE_BUMP_PERCENT,
    cap: feeCap(c.REVEAL_MAX_FEE_GWEI),
    pollMs: Math.min(ctx.chain.pollingInterval, 1_000),
    signal,
  };
}
