/**
 * A generate job whose mint is no longer canonical (a reorg dropped it, or gave the token id to
 * another mint) is skipped, and the token's history says why. The job of the new mint, which the
 * indexer enqueues under its own id, does the work.
 */
import type { Context } from "../context";
import { tokenStatuses } from "../db/schema";
import { getToken } from "../db/token-queries";
import { recordEvent, type TokenKey, transition } from "../db/tokens";

export type StaleParameters = TokenKey & { mintTxHash: string; reason: string; jobId: string | null; attempt: number };

/** Marks this mint's row failed with `reason`, or, when the row belongs to another mint, only records an event. */
export async function recordStale(ctx: Pick<Context, "db">, p: StaleParameters): Promise<void> {
  const row = await getToken(ctx.db, p);
  if (row && row.mint_tx_hash === p.mintTxHash && row.status !== "revealed") {
    await transition(ctx.db, {
      chainId: p.chainId,
      tokenId: p.tokenId,
      mintTxHash: p.mintTxHash,
      from: tokenStatuses.filter((s) => s !== "revealed"),
      to: "failed",
      stage: "generate",
      attempt: p.attempt,
      jobId: p.jobId,
      reason: p.reason,
      set: { generate_error: p.reason },
    });
    return;
  }
  // The row is another mint's, or revealed: the stale job moves it nowhere.
  await recordEvent(ctx.db, {
    chainId: p.chainId,
    tokenId: p.tokenId,
    mintTxHash: p.mintTxHash,
    from: row?.status ?? null,
    to: null,
    stage: "generate",
    attempt: p.attempt,
    reason: p.reason,
    jobId: p.jobId,
  });
}
