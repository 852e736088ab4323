/**
 * A stage that waits on a provider (a prediction that takes minutes, an upload) writes nothing to
 * its token's row while it waits. It touches the row every half lock period instead, so a row left
 * alone for two lock periods certainly has no live worker: recovery (recovery/processor.ts) can
 * then re-enqueue it after a Redis wipe within seconds, without ever racing a worker that is still
 * running it (which would risk a second paid prediction).
 */
import type { Context } from "../context";
import type { MintKey } from "../db/schema";
import { updateForMint } from "../db/tokens";

/** Runs `work` while touching the token's row every WORKER_LOCK_DURATION_MS / 2. */
export async function withHeartbeat<T>(
  ctx: Pick<Context, "db" | "config">,
  p: { key: MintKey; work: () => Promise<T> },
): Promise<T> {
  const everyMs = Math.max(250, Math.floor(ctx.config.WORKER_LOCK_DURATION_MS / 2));
  let beating: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    // A failed touch only makes recovery more patient with this row; the work itself goes on.
    beating = updateForMint(ctx.db, { ...p.key, set: {} }).catch(() => undefined);
  }, everyMs);
  try {
    return await p.work();
  } finally {
    clearInterval(timer);
    await beating;
  }
}
