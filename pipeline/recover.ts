/**
 * Rebuilds the stage queues from the database at start-up (RECOVER_ON_START): Redis is never the
 * only copy of a fact, so after a Redis wipe or a lost job every unfinished token gets its job back.
 * - detected / generating → generate job; generated → pin job; uploaded (ready) → one reveal round.
 * Job ids are deterministic, so a job that still exists is not duplicated; one that finished while
 * the database says the work is not done (Redis restored from an old snapshot) is replaced.
 */
import type { Context } from "./context";
import type { Token } from "./db/schema";
import { ensureJob } from "./enqueue";
import { generateJobId, pinJobId, stageJobOptions } from "./queues";
import { requestReveal } from "./reveal/request";

export type RecoverReturnType = { generate: number; pin: number; ready: number };

const PAGE = 500;

async function* unfinished(ctx: Context): AsyncGenerator<Token[]> {
  let after = "-1";
  for (;;) {
    const rows = await ctx.db
      .selectFrom("tokens")
      .selectAll()
      .where("chain_id", "=", ctx.config.network.chainId)
      .where("status", "in", ["detected", "generating", "generated"])
      .where("token_id", ">", after)
      .orderBy("token_id")
      .limit(PAGE)
      .execute();
    if (rows.length === 0) return;
    yield rows;
    after = (rows.at(-1) as Token).token_id;
  }
}

/** Re-enqueues every unfinished token's next job and asks for a reveal round when tokens are ready. */
export async function recoverStages(ctx: Context): Promise<RecoverReturnType> {
  const opts = stageJobOptions(ctx.config.JOB_ATTEMPTS, ctx.config.JOB_BACKOFF_MS);
  const counts: RecoverReturnType = { generate: 0, pin: 0, ready: 0 };
  for await (const rows of unfinished(ctx)) {
    const added = await Promise.all(
      rows.map(async (t) => {
        const ids = { chainId: t.chain_id, tokenId: t.token_id, mintTxHash: t.mint_tx_hash };
        if (t.status === "generated") {
          return (await ensureJob(ctx.queues.pin, pinJobId(ids), ids, opts)) ? "pin" : undefined;
        }
        const data = {
          ...ids,
          contract: ctx.config.network.address,
          promptAuthor: t.author,
          minter: t.minter,
          mintBlockNumber: String(t.mint_block_number),
        };
        return (await ensureJob(ctx.queues.generate, generateJobId(ids), data, opts)) ? "generate" : undefined;
      }),
    );
    for (const stage of added) if (stage) counts[stage] += 1;
  }
  const ready = await ctx.db
    .selectFrom("tokens")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("chain_id", "=", ctx.config.network.chainId)
    .where("status", "=", "uploaded")
    .executeTakeFirst();
  counts.ready = Number(ready?.n ?? 0);
  if (counts.ready > 0) await requestReveal(ctx, { trigger: "recover" });
  ctx.logger.info(counts, "recovered unfinished work from the database");
  return counts;
}
