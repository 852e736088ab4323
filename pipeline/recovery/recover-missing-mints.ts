/**
 * The part of recovery the database cannot do alone: a token whose `generate` job was still waiting
 * in Redis when Redis was wiped has no row yet (the job creates it), and the indexer never enqueues a
 * mint it has already indexed. So the chain is asked: every id below `nextTokenId()` without a row
 * gets the generate job the indexer would have enqueued — same job id, same data — found from its
 * BatchMinted log.
 *
 * Cheap when nothing is missing (one contract read, one count query); bounded otherwise (at most
 * MAX_IDS_PER_PASS ids; the log scan starts at the mint block of the nearest known lower id, since
 * ids grow with the chain). Mints younger than RECOVER_MINT_GRACE_BLOCKS are left to the indexer,
 * except in the passes that follow a Redis wipe, which may have taken the indexer's own job with it
 * (the job id is the indexer's, so an enqueue it makes afterwards adds nothing).
 */
import { GliskNFTAbi } from "../../abis/GliskNFTAbi";
import { findMint, type MintRange, mintCovering } from "../chain/mints";
import type { Context } from "../context";
import { countTokensBelow, mintBlocksPage } from "../db/token-queries";
import { enqueueGenerateFor } from "../jobs/enqueue";

/** Ids looked up per pass; the next pass continues where this one stopped. */
export const MAX_IDS_PER_PASS = 1_000;
const PAGE = 500;

export type RecoverMissingReturnType = {
  /** Ids below nextTokenId() with no row (at most MAX_IDS_PER_PASS are looked at). */
  missing: number;
  /** Generate jobs added (a live job under the same id is left alone and not counted). */
  enqueued: number;
  /** Left to the indexer: their mint is younger than the grace period. */
  young: number;
  /** No canonical BatchMinted found (a reorg under way); the next pass looks again. */
  notFound: number;
};

type MissingId = { id: bigint; nearBlock: bigint };

/** Ids in [1, next) with no row, ascending, each with the mint block of the nearest lower row. */
async function missingIds(ctx: Context, next: bigint, startBlock: bigint, cap: number): Promise<MissingId[]> {
  const missing: MissingId[] = [];
  let expected = 1n;
  let nearBlock = startBlock;
  let after = "0";
  const add = (upTo: bigint) => {
    for (; expected < upTo && missing.length < cap; expected++) missing.push({ id: expected, nearBlock });
  };
  while (missing.length < cap) {
    const rows = await mintBlocksPage(ctx.db, { chainId: ctx.config.network.chainId, after, below: next, limit: PAGE });
    for (const row of rows) {
      add(BigInt(row.token_id));
      if (missing.length >= cap) return missing;
      expected = BigInt(row.token_id) + 1n;
      nearBlock = BigInt(row.mint_block_number);
    }
    if (rows.length < PAGE) break;
    after = (rows.at(-1) as { token_id: string }).token_id;
  }
  add(next);
  return missing;
}

export type RecoverMissingParameters = {
  maxIds?: number;
  /** Mints younger than this are left to the indexer; default RECOVER_MINT_GRACE_BLOCKS. */
  graceBlocks?: number;
};

/** Enqueues the indexer's generate job for every minted token that has no pipeline row (lowest `maxIds` ids a pass). */
export async function recoverMissingMints(
  ctx: Context,
  { maxIds = MAX_IDS_PER_PASS, graceBlocks }: RecoverMissingParameters = {},
): Promise<RecoverMissingReturnType> {
  const { chain, config, db, logger } = ctx;
  const { address: contract, chainId } = config.network;
  const counts: RecoverMissingReturnType = { missing: 0, enqueued: 0, young: 0, notFound: 0 };
  const next = await chain.readContract({ address: contract, abi: GliskNFTAbi, functionName: "nextTokenId" });
  if ((await countTokensBelow(db, { chainId, below: next })) >= next - 1n) return counts;

  const startBlock = BigInt(config.network.startBlock);
  const missing = await missingIds(ctx, next, startBlock, maxIds);
  counts.missing = missing.length;
  const head = await chain.getBlockNumber({ cacheTime: 0 });
  let range: MintRange | undefined;
  for (const [i, { id, nearBlock }] of missing.entries()) {
    if (!range || !mintCovering([range], id)) {
      const near = range && BigInt(range.blockNumber) > nearBlock ? BigInt(range.blockNumber) : nearBlock;
      const found = await findMint(chain, { contract, tokenId: id, nearBlock: near, startBlock, head });
      if (!found) {
        counts.notFound += 1;
        continue;
      }
      range = found;
    }
    // Ids grow with the chain, so every later id was minted at least this recently too.
    if (head - BigInt(range.blockNumber) < BigInt(graceBlocks ?? config.RECOVER_MINT_GRACE_BLOCKS)) {
      counts.young = missing.length - i;
      break;
    }
    // Exactly the indexer's job (src/GliskNFT.ts): same id, same data.
    const added = await enqueueGenerateFor(ctx, {
      chain_id: chainId,
      token_id: id.toString(),
      author: range.author,
      minter: range.minter,
      mint_tx_hash: range.txHash,
      mint_block_number: range.blockNumber,
    });
    if (added) counts.enqueued += 1;
  }
  const level = counts.enqueued > 0 || counts.notFound > 0 ? "warn" : "info";
  logger[level](
    { ...counts, nextTokenId: next.toString() },
    "minted tokens with no pipeline row: generate jobs re-enqueued",
  );
  return counts;
}
