/**
 * An operator's retry of a failed token (admin API, CLI): the token goes back to the start of the
 * stage that failed and its job is enqueued again. BullMQ ignores an add whose id still exists, so
 * the old failed job is replaced (`ensureJob`).
 */
import type { Context } from "../context";
import { getToken } from "../db/token-queries";
import { type TokenKey, transition } from "../db/tokens";
import { enqueueGenerateFor, enqueuePin } from "../jobs/enqueue";

export type RetryTokenReturnType = { retried: boolean; stage?: "generate" | "pin"; reason?: string };

/**
 * Retries a `failed` token: with its image already made, from the pin stage (no new paid call);
 * otherwise from generate, resuming a stored prediction if there is one (the provider starts a new one
 * only when the stored one failed or its output is gone).
 */
export async function retryToken(ctx: Context, key: TokenKey): Promise<RetryTokenReturnType> {
  const token = await getToken(ctx.db, key);
  if (!token) return { retried: false, reason: "unknown token" };
  if (token.status !== "failed") return { retried: false, reason: `token is ${token.status}, not failed` };
  const ids = { chainId: key.chainId, tokenId: key.tokenId, mintTxHash: token.mint_tx_hash };
  // A failure after the image was made (pin stage) resumes from it; anything the generate stage
  // decided (including a stale mint) is re-examined from the start.
  const fromPin = Boolean(token.image_cid) && !token.generate_error;
  const moved = await transition(ctx.db, {
    ...key,
    mintTxHash: token.mint_tx_hash,
    from: ["failed"],
    to: fromPin ? "generated" : "detected",
    stage: "retry",
    reason: "operator retry",
    set: fromPin ? { pin_error: null } : { generate_error: null },
  });
  if (!moved) return { retried: false, reason: "token changed while retrying" };
  if (fromPin) {
    await enqueuePin(ctx, ids);
    return { retried: true, stage: "pin" };
  }
  await enqueueGenerateFor(ctx, token);
  return { retried: true, stage: "generate" };
}
