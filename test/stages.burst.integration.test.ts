import { sql } from "kysely";
import { expect, test } from "vitest";
import { anvilAccount, waitFor } from "../scripts/lib/glisk";
import { useStages } from "./helpers/stages";

const s = useStages();

test("a burst of 500 jobs (each enqueued twice) with the local providers completes once per token", {
  timeout: 240_000,
}, async () => {
  const p = await s.start({
    IMAGE_PROVIDER: "local",
    IPFS_PROVIDER: "local",
    GENERATE_CONCURRENCY: "8",
    PIN_CONCURRENCY: "8",
  });
  try {
    const jobs = [];
    for (let i = 0; i < 10; i++) jobs.push(...(await s.mintJobs(anvilAccount(3 + (i % 3)).address, 50)));
    expect(jobs).toHaveLength(500);
    await s.enqueue(p, [...jobs, ...jobs]);
    const ids = jobs.map((j) => j.tokenId);
    const ready = async () =>
      Number(
        (
          await s
            .db()
            .selectFrom("tokens")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("token_id", "in", ids)
            .where("status", "in", ["uploaded", "failed"])
            .executeTakeFirst()
        )?.n ?? 0,
      );
    await waitFor(async () => (await ready()) === 500, { timeoutMs: 200_000, intervalMs: 500, message: "500 tokens" });
    const rows = await s.db().selectFrom("tokens").selectAll().where("token_id", "in", ids).execute();
    expect(rows.filter((r) => r.status === "uploaded")).toHaveLength(500);
    expect(new Set(rows.map((r) => r.image_cid)).size).toBe(500);
    expect(new Set(rows.map((r) => r.metadata_cid)).size).toBe(500);
    const transitions = await s
      .db()
      .selectFrom("token_events")
      .select(["to_status", sql<number>`count(*)`.as("n")])
      .where("token_id", "in", ids)
      // Moves only: a job that ran twice under load (a stalled lock) records its skip with no status.
      .where("to_status", "is not", null)
      .groupBy("to_status")
      .execute();
    const byStatus = Object.fromEntries(transitions.map((t) => [t.to_status, Number(t.n)]));
    expect(byStatus).toEqual({ detected: 500, generating: 500, generated: 500, uploaded: 500 });
    expect(await p.ctx.queues.generate.getCompletedCount()).toBe(500);
    expect(await p.ctx.queues.pin.getCompletedCount()).toBe(500);
    expect(await p.ctx.queues.generate.getFailedCount()).toBe(0);
  } finally {
    await p.stop();
  }
});
