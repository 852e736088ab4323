/**
 * What pre-flight and fault isolation decide for tokens that will not go into the transaction:
 * revealed already (recorded without a transaction), gone from the chain, re-minted for another
 * author (back to generation for the canonical mint), or failed with the decoded revert.
 */
import type { MintLocation } from "../chain/mints";
import type { Context } from "../context";
import { READY, type Token } from "../db/schema";
import { moveTokens } from "../db/token-moves";
import { recordDetected } from "../db/tokens";
import { enqueueGenerateFor } from "../jobs/enqueue";

type Ctx = Pick<Context, "db" | "config" | "queues" | "logger">;

export type OutcomeParameters = { tokenIds: readonly string[]; jobId?: string };

/** Tokens the chain already shows revealed: recorded as revealed without sending anything. */
export async function recordAlreadyRevealed(ctx: Ctx, p: OutcomeParameters): Promise<number> {
  const moved = await moveTokens(ctx.db, {
    chainId: ctx.config.network.chainId,
    tokenIds: p.tokenIds,
    from: READY,
    to: "revealed",
    reason: "already revealed on-chain",
    jobId: p.jobId,
  });
  return moved.length;
}

/** Tokens that cannot be revealed (no such token on-chain, or a revert isolated to them). */
export async function recordFailed(ctx: Ctx, p: OutcomeParameters & { reason: string }): Promise<number> {
  const moved = await moveTokens(ctx.db, {
    chainId: ctx.config.network.chainId,
    tokenIds: p.tokenIds,
    from: READY,
    to: "failed",
    reason: p.reason,
    set: { reveal_error: p.reason },
    jobId: p.jobId,
  });
  if (moved.length > 0) ctx.logger.error({ tokenIds: moved, reason: p.reason }, "tokens failed before reveal");
  return moved.length;
}

/**
 * A reorg gave the id to a mint for another author, so the image is stale (invariant 4): the row
 * moves to the canonical mint as `detected` and generation is enqueued under the same job id the
 * indexer uses for that mint, so both paths create one job.
 */
export async function regenerate(ctx: Ctx, p: { token: Token; mint: MintLocation; jobId?: string }): Promise<void> {
  const { token, mint } = p;
  const chainId = ctx.config.network.chainId;
  const { created } = await recordDetected(ctx.db, {
    chainId,
    tokenId: token.token_id,
    mintTxHash: mint.txHash,
    mintBlockNumber: mint.blockNumber,
    minter: mint.minter,
    author: mint.author,
    jobId: p.jobId,
  });
  // A finished job under this id (from an earlier life of the id) must not swallow the work: enqueueGenerateFor replaces it.
  await enqueueGenerateFor(ctx, {
    chain_id: chainId,
    token_id: token.token_id,
    author: mint.author,
    minter: mint.minter,
    mint_tx_hash: mint.txHash,
    mint_block_number: mint.blockNumber,
  });
  ctx.logger.warn(
    { tokenId: token.token_id, staleMint: token.mint_tx_hash, mint: mint.txHash, author: mint.author, created },
    "token id re-minted for another author: regenerating instead of revealing the stale image",
  );
}
