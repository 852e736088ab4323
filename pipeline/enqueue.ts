/**
 * Adding a stage job whose work the database says is still to do. BullMQ ignores an add whose id
 * exists, which is what deduplicates replays; but a *finished* job under that id (kept for a week, or
 * restored with an old Redis snapshot) would then swallow work that really is pending, so it is
 * replaced. A waiting, delayed or active job is left alone.
 */
import type { JobsOptions, Queue } from "bullmq";

/** Adds the job unless a live one with `jobId` exists; replaces a finished one. True when added. */
export async function ensureJob(queue: Queue, jobId: string, data: object, opts: JobsOptions): Promise<boolean> {
  const existing = await queue.getJob(jobId);
  if (existing) {
    const state = await existing.getState();
    if (state !== "completed" && state !== "failed" && state !== "unknown") return false;
    await existing.remove().catch(() => {});
  }
  await queue.add(queue.name, data, { ...opts, jobId });
  return true;
}
