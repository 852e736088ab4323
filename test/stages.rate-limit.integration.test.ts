/**
 * The image provider's rate limit is one brake for every replica: the configured rate holds across
 * two pipelines sharing a queue (the fake Replicate throttles like the real one, so any excess shows
 * as a 429), and a 429's Retry-After pauses a replica that never saw it.
 */
import { describe, expect, test } from "vitest";
import { anvilAccount, waitFor } from "../scripts/lib/glisk";
import { type Pipeline, useStages } from "./helpers/stages";

const s = useStages();
const author = anvilAccount(3).address;

/** Waits until every one of `ids` is uploaded or failed; returns how many are uploaded. */
async function settled(ids: string[]): Promise<number> {
  return waitFor(
    async () => {
      const rows = await s.db().selectFrom("tokens").select("status").where("token_id", "in", ids).execute();
      const done = rows.filter((r) => r.status === "uploaded" || r.status === "failed");
      return done.length === ids.length ? rows.filter((r) => r.status === "uploaded").length : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100, message: `${ids.length} tokens settled` },
  );
}

describe("the image provider's rate limit", () => {
  test("two replicas together start no more paid calls than IMAGE_RATE_LIMIT_PER_MINUTE: no 429, one prediction per token", async () => {
    const replicate = s.replicate();
    replicate.reset();
    // Replicate-like throttling at 4 creates a second, bursts of 4: two replicas at 4/s each would overrun it.
    replicate.behaviour.createsPerMinute = 240;
    replicate.behaviour.createBurst = 4;
    const shared = { QUEUE_PREFIX: `rl${Math.random().toString(36).slice(2, 8)}`, IMAGE_RATE_LIMIT_PER_MINUTE: "240" };
    const replicas: Pipeline[] = [await s.start(shared), await s.start(shared)];
    const processed = replicas.map(() => 0);
    for (const [i, p] of replicas.entries()) {
      p.workers.generate.on("completed", () => {
        processed[i] = (processed[i] ?? 0) + 1;
      });
    }
    const jobs = await s.mintJobs(author, 16);
    await s.enqueue(replicas[0] as Pipeline, jobs);
    expect(await settled(jobs.map((j) => j.tokenId))).toBe(16);
    expect(replicate.counters.throttled).toBe(0);
    expect(replicate.counters.created).toBe(16);
    expect(processed.every((n) => n > 0)).toBe(true);
    replicate.reset();
  });

  test("a 429 pauses the replica that did not receive it for the whole Retry-After, even with no rate configured", async () => {
    const replicate = s.replicate();
    replicate.reset();
    const shared = { QUEUE_PREFIX: `rl${Math.random().toString(36).slice(2, 8)}`, IMAGE_RATE_LIMIT_PER_MINUTE: "0" };
    const [a, b] = [await s.start(shared), await s.start(shared)] as [Pipeline, Pipeline];
    await b.workers.generate.pause();
    replicate.faults.push("create", { status: 429, headers: { "retry-after": "2" } });
    const t0 = Date.now();
    const [first, ...rest] = await s.mintJobs(author, 5);
    await s.enqueue(a, first ? [first] : []);
    // A got the 429 and paused the queue in Redis; now only B works, and it never saw the 429.
    const limiter = a.ctx.queues.generate.keys.limiter ?? "";
    await waitFor(async () => ((await a.ctx.redis.pttl(limiter)) > 0 ? true : undefined), {
      message: "the queue paused for Retry-After",
    });
    await a.workers.close();
    b.workers.generate.resume();
    await s.enqueue(b, rest);
    expect(await settled([first, ...rest].map((j) => j?.tokenId ?? ""))).toBe(5);
    const created = [...replicate.predictions.values()].map((p) => Date.parse(p.created_at));
    expect(created).toHaveLength(5);
    expect(Math.min(...created)).toBeGreaterThanOrEqual(t0 + 2_000);
    replicate.reset();
  });
});
