/**
 * Adding a stage job whose work the database says is still to do. BullMQ ignores an add whose id
 * exists, which is what deduplicates replays; but a *finished* job under that id (kept for a week, or
 * restored with an old Redis snapshot) would then swallow work that really is pending, so it is
 * replaced. A waiting, delayed or active job is left alone.
 */
import type { JobsOptions, Queue } from "bullmq";
import { generateJobData, generateJobId, pinJobId, stageJobOptions } from "../../common/jobs";
import type { Context } from "../context";
import type { Token } from "../db/schema";
import type { TokenKey } from "../db/tokens";

/** Adds the job unless a live one with `jobId` exists; replaces a finished one. True when added. */
export async function ensureJob(
  queue: Queue,
  { jobId, data, opts }: { jobId: string; data: object; opts: JobsOptions },
): Promise<boolean> {
  const existing = await queue.getJob(jobId);
  if (existing) {
    const state = await existing.getState();
    if (state !== "completed" && state !== "failed" && state !== "unknown") return false;
    await existing.remove().catch(() => {});
  }
  await queue.add(queue.name, data, { ...opts, jobId });
  return true;
}

type EnqueueContext = Pick<Context, "queues" | "config">;

const jobOptions = (ctx: EnqueueContext) => stageJobOptions(ctx.config.JOB_ATTEMPTS, ctx.config.JOB_BACKOFF_MS);

/** Enqueues the pin job of a generated token (the token is generated, so pinning is due). True when added. */
export async function enqueuePin(ctx: EnqueueContext, d: TokenKey & { mintTxHash: string }): Promise<boolean> {
  const data = { chainId: d.chainId, tokenId: d.tokenId, mintTxHash: d.mintTxHash };
  return ensureJob(ctx.queues.pin, { jobId: pinJobId(data), data, opts: jobOptions(ctx) });
}

/**
 * Enqueues a token row's generate job with the indexer's id and data (generateJobData), so a job
 * rebuilt from the database is the one the indexer would have added. True when added.
 */
export async function enqueueGenerateFor(
  ctx: EnqueueContext,
  token: Pick<Token, "chain_id" | "token_id" | "author" | "minter" | "mint_tx_hash" | "mint_block_number">,
): Promise<boolean> {
  const data = generateJobData({
    chainId: token.chain_id,
    contract: ctx.config.network.address,
    tokenId: token.token_id,
    author: token.author,
    minter: token.minter,
    mintTxHash: token.mint_tx_hash,
    mintBlockNumber: token.mint_block_number,
  });
  return ensureJob(ctx.queues.generate, { jobId: generateJobId(data), data, opts: jobOptions(ctx) });
}
