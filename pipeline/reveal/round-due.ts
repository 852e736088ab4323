/**
 * Whether an automatic reveal round sends now. Ready tokens go at once when nothing else is on its
 * way to reveal (no token detected, generating or generated, no generate or pin job left): waiting
 * could only delay them. While more are on their way, a round waits until a full transaction is
 * ready or the oldest ready token has waited BATCH_REVEAL_WAIT_SECONDS, so a slow trickle of tokens
 * still shares transactions.
 */
import type { Backlog } from "../db/token-queries";

export type DueParameters = {
  backlog: Backlog;
  /** Tokens (rows or queued stage jobs) still before reveal. */
  upstream: number;
  /** Tokens one transaction carries under the gas budget. */
  batchTokens: number;
  waitSeconds: number;
  now: number;
};

export type DueVerdict = { due: true; why: "nothing-upstream" | "full" | "waited" } | { due: false; inMs: number };

/** The verdict, or the milliseconds until the oldest ready token's wait runs out. */
export function roundDue(p: DueParameters): DueVerdict {
  if (p.backlog.count === 0 || p.backlog.oldestReadyAt === null) return { due: false, inMs: Number.POSITIVE_INFINITY };
  if (p.upstream === 0) return { due: true, why: "nothing-upstream" };
  if (p.backlog.count >= p.batchTokens) return { due: true, why: "full" };
  const inMs = p.backlog.oldestReadyAt.getTime() + p.waitSeconds * 1000 - p.now;
  return inMs <= 0 ? { due: true, why: "waited" } : { due: false, inMs };
}
