/** Whether a reveal round is due yet: a full batch is ready, or the oldest ready token has waited long enough. */
import type { Backlog } from "../db/token-queries";

export type DueParameters = { backlog: Backlog; maxTokens: number; waitSeconds: number; now: number };

/**
 * A round is due when a full batch is ready or the oldest ready token has waited long enough;
 * otherwise returns the milliseconds until the oldest token's wait runs out.
 */
export function roundDue(p: DueParameters): { due: true } | { due: false; inMs: number } {
  if (p.backlog.count === 0 || p.backlog.oldestReadyAt === null) return { due: false, inMs: Number.POSITIVE_INFINITY };
  if (p.backlog.count >= p.maxTokens) return { due: true };
  const inMs = p.backlog.oldestReadyAt.getTime() + p.waitSeconds * 1000 - p.now;
  return inMs <= 0 ? { due: true } : { due: false, inMs };
}
