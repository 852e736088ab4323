/**
 * What pre-flight and fault isolation decide for tokens that will not go into the transaction:
 * revealed already (recorded without a transaction), gone from the chain, re-minted for another
 * author (back to generation for the canonical mint), or failed with the decoded revert.
 */

import { generateJobData, generateJobId, QUEUE, stageJobOptions } from "../../common/jobs";
import type { MintLocation } from "../chain/mints";
import type { Context } from "../context";
import { READY, type Token } from "../db/schema";
import { moveTokens, recordDetected } from "../db/tokens";
import { ensureJob } from "../jobs/enqueue";

type Ctx = Pick<Context, "db" | "config" | "queues" | "logger">;

/** Tokens the chain already shows revealed: recorded as revealed without sending anything. */
export async function recordAlreadyRevealed(ctx: Ctx, tokenIds: readonly string[], jobId?: string): Promise<number> {
  const moved = await moveTokens(ctx.db, {
    chainId: ctx.config.network.chainId,
    tokenIds,
    from: READY,
    to: "revealed",
    reason: "already revealed on-chain",
    jobId,
  });
  return moved.length;
}

/** Tokens that cannot be revealed (no such token on-chain, or a revert isolated to them). */
export async function recordFailed(ctx: Ctx, tokenIds: readonly string[], reason: string, jobId?: string) {
  const moved = await moveTokens(ctx.db, {
    chainId: ctx.config.network.chainId,
    tokenIds,
    from: READY,
    to: "failed",
    reason,
    set: { reveal_error: reason },
    jobId,
  });
  if (moved.length > 0) ctx.logger.error({ tokenIds: moved, reason }, "tokens failed before reveal");
  return moved.length;
}

/**
 * A reorg gave the id to a mint for another author, so the image is stale (invariant 4): the row
 * moves to the canonical mint as `detected` and generation is enqueued under the same job id the
 * indexer uses for that mint, so both paths create one job.
 */
export async function regenerate(ctx: Ctx, token: Token, mint: MintLocation, jobId?: string): Promise<void> {
  const chainId = ctx.config.network.chainId;
  const { created } = await recordDetected(ctx.db, {
    chainId,
    tokenId: token.token_id,
    mintTxHash: mint.txHash,
    mintBlockNumber: mint.blockNumber,
    minter: mint.minter,
    author: mint.author,
    jobId,
  });
  const data = generateJobData({
    chainId,
    contract: ctx.config.network.address,
    tokenId: token.token_id,
    author: mint.author,
    minter: mint.minter,
    mintTxHash: mint.txHash,
    mintBlockNumber: mint.blockNumber,
  });
  // ensureJob: a finished job under this id (from an earlier life of the id) must not swallow the work.
  await ensureJob(
    ctx.queues[QUEUE.generate],
    generateJobId(data),
    data,
    stageJobOptions(ctx.config.JOB_ATTEMPTS, ctx.config.JOB_BACKOFF_MS),
  );
  ctx.logger.warn(
    { tokenId: token.token_id, staleMint: token.mint_tx_hash, mint: mint.txHash, author: mint.author, created },
    "token id re-minted for another author: regenerating instead of revealing the stale image",
  );
}
