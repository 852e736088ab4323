/**
 * Rebuilds the stage queues from the database, at start-up (RECOVER_ON_START) and periodically
 * (recover-schedule.ts): Redis is never the only copy of a fact, so after a Redis wipe or a lost job
 * every unfinished token gets its job back.
 * - detected / generating → generate job; generated → pin job; uploaded or revealing → one reveal round.
 * - minted on-chain but no row (its generate job was lost before it ran) → the indexer's generate job,
 *   found from the chain (recover-missing.ts).
 * Job ids are deterministic, so a job that still exists is not duplicated; one that finished while
 * the database says the work is not done (Redis restored from an old snapshot) is replaced.
 * `quietSince` limits a periodic pass to rows nobody has written for a while: a job lost from Redis
 * whose worker is still running it keeps writing its row or ends within that time.
 */
import type { Context } from "../context";
import type { Token } from "../db/schema";
import { countStatuses, type UnfinishedParameters, unfinishedTokens } from "../db/token-queries";
import { describeError } from "../errors";
import { enqueueGenerateFor, enqueuePin } from "../jobs/enqueue";
import { requestReveal } from "../reveal/request";
import { recoverMissingMints } from "./recover-missing-mints";

export type RecoverReturnType = {
  generate: number;
  pin: number;
  ready: number;
  revealing: number;
  /** Generate jobs added for minted tokens that had no row. */
  minted: number;
};

export type RecoverParameters = {
  /** Per status, only rows last written before this time; unset (start-up): every unfinished row. */
  quietSince?: UnfinishedParameters["quietSince"];
  /** Overrides RECOVER_MINT_GRACE_BLOCKS for minted tokens with no row (0 after a Redis wipe). */
  mintGraceBlocks?: number;
};

const PAGE = 500;

async function* unfinished(ctx: Context, quiet: RecoverParameters["quietSince"]): AsyncGenerator<Token[]> {
  let after = "-1";
  for (;;) {
    const chainId = ctx.config.network.chainId;
    const rows = await unfinishedTokens(ctx.db, { chainId, after, limit: PAGE, quietSince: quiet });
    if (rows.length === 0) return;
    yield rows;
    after = (rows.at(-1) as Token).token_id;
  }
}

/**
 * Re-enqueues every unfinished token's next job and asks for a reveal round when tokens are ready or
 * a reveal transaction may be pending. Pages through the table; returns what it added.
 */
export async function recoverStages(ctx: Context, p: RecoverParameters = {}): Promise<RecoverReturnType> {
  const counts: RecoverReturnType = { generate: 0, pin: 0, ready: 0, revealing: 0, minted: 0 };
  for await (const rows of unfinished(ctx, p.quietSince)) {
    const added = await Promise.all(
      rows.map(async (t) => {
        if (t.status === "generated") {
          const key = { chainId: t.chain_id, tokenId: t.token_id, mintTxHash: t.mint_tx_hash };
          return (await enqueuePin(ctx, key)) ? "pin" : undefined;
        }
        return (await enqueueGenerateFor(ctx, t)) ? "generate" : undefined;
      }),
    );
    for (const stage of added) if (stage) counts[stage] += 1;
  }
  // An RPC outage must not stop the database part (nor the process at start): the next pass retries.
  try {
    counts.minted = (await recoverMissingMints(ctx, { graceBlocks: p.mintGraceBlocks })).enqueued;
  } catch (error) {
    ctx.logger.warn({ err: describeError(error) }, "cannot look for minted tokens with no row; next pass retries");
  }
  const waiting = await countStatuses(ctx.db, {
    chainId: ctx.config.network.chainId,
    statuses: ["uploaded", "revealing"],
  });
  counts.ready = waiting.uploaded;
  counts.revealing = waiting.revealing;
  // A round settles pending transactions before anything else, so `revealing` rows need one too
  // (their round's job may have been lost with Redis).
  if (counts.ready + counts.revealing > 0) await requestReveal(ctx, { trigger: "recover" });
  ctx.logger.info({ ...counts, periodic: p.quietSince !== undefined }, "recovered unfinished work from the database");
  return counts;
}
