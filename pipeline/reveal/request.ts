/**
 * The one way to ask for a reveal round. Stages call it when a token becomes ready, the API on a
 * manual reveal, the process at start-up. The reveal processor decides what to send.
 */
import type { Context } from "../context";
import type { RevealJobData } from "../queues";

export type RequestRevealParameters = RevealJobData;

/** Enqueues a reveal round; repeated `ready` requests while one is waiting collapse into one job. */
export async function requestReveal(ctx: Pick<Context, "queues">, data: RequestRevealParameters): Promise<void> {
  const dedupe = data.trigger === "manual" ? undefined : { id: "reveal-round" };
  await ctx.queues.reveal.add("reveal", data, {
    ...(dedupe ? { deduplication: dedupe } : {}),
    removeOnComplete: { count: 1_000 },
    removeOnFail: { count: 1_000 },
  });
}
