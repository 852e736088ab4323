/**
 * A stage job that finds nothing to do returns "skipped" (duplicates and retries are harmless), and
 * says why: in the log and in the token's history (invariant 8), so an operator looking at a token
 * that did not move sees which job passed over it and for what reason.
 */
import type { Context } from "../context";
import { getToken } from "../db/token-queries";
import { type MintKey, recordEvent } from "../db/tokens";

export type RecordSkipParameters = {
  key: MintKey;
  stage: "generate" | "pin";
  reason: string;
  jobId?: string | null;
  attempt?: number | null;
  log: Context["logger"];
};

/**
 * Logs the skip and appends it to the token's history: `from` the status it found, `to` null, since a
 * skip moves the token nowhere (so counting moves into a status never counts skips). Returns "skipped".
 */
export async function recordSkip(ctx: Pick<Context, "db">, p: RecordSkipParameters): Promise<"skipped"> {
  const row = await getToken(ctx.db, p.key);
  const status = row?.status ?? null;
  p.log.info({ reason: p.reason, status, mintTxHash: p.key.mintTxHash }, `${p.stage} job skipped`);
  await recordEvent(ctx.db, {
    ...p.key,
    from: status,
    to: null,
    stage: p.stage,
    attempt: p.attempt ?? null,
    reason: `skipped: ${p.reason}`,
    jobId: p.jobId ?? null,
  });
  return "skipped";
}
