import { type Job, Queue, Worker } from "bullmq";
import { getAddress } from "viem";
import { describe, expect, test } from "vitest";
import { GliskNFTAbi } from "../abis/GliskNFTAbi";
import type { GenerateJobData } from "../common/jobs";
import { generateJobId, QUEUE, SCHEDULER } from "../common/jobs";
import { tokenHistory } from "../pipeline/db/token-queries";
import { recordDetected, transition } from "../pipeline/db/tokens";
import { readIpfsObject } from "../pipeline/providers/local-ipfs-store";
import { recoverQuietStages } from "../pipeline/recovery/processor";
import { recoverMissingMints } from "../pipeline/recovery/recover-missing-mints";
import { recoverStages } from "../pipeline/recovery/recover-stages";
import { type RevealWorker, startRevealWorker, startStageRecovery } from "../pipeline/workers";
import { anvilAccount, anvilKey, localClients, waitFor } from "../scripts/lib/glisk";
import { revealedOnChain } from "./helpers/reveal";
import { type Pipeline, useStages } from "./helpers/stages";

const s = useStages();
const author = anvilAccount(3).address;
const otherAuthor = anvilAccount(4).address;

/** Records the tokens as a generate job that started them would, `ageMs` ago. */
async function seedDetected(jobs: GenerateJobData[], ageMs: number, status: "detected" | "generating" = "detected") {
  for (const j of jobs) {
    await recordDetected(s.db(), { ...j, mintBlockNumber: Number(j.mintBlockNumber), author: j.promptAuthor });
    if (status === "generating") {
      await transition(s.db(), {
        chainId: 31337,
        tokenId: j.tokenId,
        from: ["detected"],
        to: "generating",
        stage: "test",
      });
    }
  }
  await s
    .db()
    .updateTable("tokens")
    .set({ updated_at: new Date(Date.now() - ageMs) })
    .where(
      "token_id",
      "in",
      jobs.map((j) => j.tokenId),
    )
    .execute();
}

/** A job's data exactly as the indexer enqueues it (src/GliskNFT.ts): addresses checksummed. */
const asIndexed = (j: GenerateJobData): GenerateJobData => ({
  ...j,
  contract: getAddress(j.contract),
  promptAuthor: getAddress(j.promptAuthor),
  minter: getAddress(j.minter),
});

/** Stops the reveal worker and periodic recovery, and removes the `recover` queue; the harness does the rest. */
async function stopAll(p: Pipeline, parts: { close: () => Promise<void> }[]) {
  for (const part of parts.reverse()) await part.close();
  const queue = new Queue(QUEUE.recover, { connection: p.ctx.redis, prefix: p.ctx.config.QUEUE_PREFIX });
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close();
}

describe("periodic recovery, one pass", () => {
  test("leaves a token with a live job alone and skips rows written within the grace period", async () => {
    // Lock 2 s: any row is quiet after 4 s without a write (live attempts touch theirs every second).
    const p = await s.start({ RECOVER_INTERVAL_SECONDS: "0" });
    await p.workers.close();
    const [live, lost, fresh, slow] = await s.mintJobs(author, 4);
    if (!live || !lost || !fresh || !slow) throw new Error("no jobs");
    await seedDetected([live, lost], 3_600_000);
    await seedDetected([fresh], 1_000);
    await seedDetected([slow], 3_000, "generating");

    // The live job is active on a worker that has not finished it.
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let taken: (job: Job) => void = () => {};
    const active = new Promise<Job>((r) => {
      taken = r;
    });
    const worker = new Worker(
      "generate",
      async (job) => {
        taken(job);
        await held;
      },
      { connection: p.ctx.workerConnection(), prefix: p.ctx.config.QUEUE_PREFIX, lockDuration: 2_000 },
    );
    await s.enqueue(p, [live]);
    const job = await active;
    try {
      const counts = await recoverQuietStages(p.ctx);
      expect(counts.generate).toBe(1);
      expect(await p.ctx.queues.generate.getJobState(generateJobId(live))).toBe("active");
      const after = await p.ctx.queues.generate.getJob(generateJobId(live));
      expect(after?.timestamp).toBe(job.timestamp);
      expect(await p.ctx.queues.generate.getJobState(generateJobId(lost))).toBe("waiting");
      expect(await p.ctx.queues.generate.getJob(generateJobId(fresh))).toBeUndefined();
      expect(await p.ctx.queues.generate.getJob(generateJobId(slow))).toBeUndefined();
      // Idempotent: a second pass adds nothing.
      expect(await recoverQuietStages(p.ctx)).toMatchObject({ generate: 0, pin: 0 });
    } finally {
      release();
      await worker.close();
    }
  });

  test("a generate attempt waiting on the provider keeps its row fresh: recovery never re-enqueues it", async () => {
    // Only this token's row: the earlier tests' unfinished rows would be recovered and generated too.
    await s.db().deleteFrom("token_events").execute();
    await s.db().deleteFrom("tokens").execute();
    const p = await s.start({ RECOVER_INTERVAL_SECONDS: "0" });
    s.replicate().reset();
    s.replicate().behaviour.hold = true;
    const [job] = await s.mintJobs(author, 1);
    if (!job) throw new Error("no job");
    try {
      await s.enqueue(p, [job]);
      await s.until(job.tokenId, ["generating"]);
      // Three lock periods of waiting on the prediction, far past the 4 s quiet period.
      await new Promise((r) => setTimeout(r, 6_000));
      // What a wipe leaves: the worker still runs the attempt, but Redis no longer knows the job.
      expect(await p.ctx.redis.del(`${p.ctx.config.QUEUE_PREFIX}:generate:${generateJobId(job)}`)).toBe(1);
      expect(await p.ctx.queues.generate.getJob(generateJobId(job))).toBeUndefined();
      expect(await recoverQuietStages(p.ctx)).toMatchObject({ generate: 0 });
      expect(await p.ctx.queues.generate.getJob(generateJobId(job))).toBeUndefined();
      expect(s.replicate().counters.create).toBe(1);
    } finally {
      s.replicate().release();
    }
    await s.until(job.tokenId, ["uploaded"]);
    expect(s.replicate().counters.create).toBe(1);
  });

  test("one schedule each for all replicas; after a wipe both schedules and the single-flight settings come back", async () => {
    const prefix = `r${Math.random().toString(36).slice(2, 8)}`;
    const env = { QUEUE_PREFIX: prefix, RECOVER_INTERVAL_SECONDS: "3600", KEEPER_PRIVATE_KEY: anvilKey(1) };
    const a = await s.start(env);
    const b = await s.start(env);
    // Wired as startWorkers wires them: the watchdog also keeps the reveal worker's sweep.
    const parts: { close: () => Promise<void> }[] = [];
    for (const replica of [a, b]) {
      const reveal = await startRevealWorker(replica.ctx, { sweepMs: 3_600_000 });
      parts.push(reveal, await startStageRecovery(replica.ctx, { watchMs: 100, schedulers: reveal.schedulers }));
    }
    const queue = new Queue(QUEUE.recover, { connection: a.ctx.redis, prefix });
    const reveal = a.ctx.queues.reveal;
    try {
      expect((await queue.getJobSchedulers()).map((j) => j.key)).toEqual([SCHEDULER.stageRecovery]);
      expect((await reveal.getJobSchedulers()).map((j) => j.key)).toEqual([SCHEDULER.revealSweep]);
      expect(await queue.getGlobalConcurrency()).toBe(1);
      await a.ctx.redis.flushall();
      await waitFor(
        async () =>
          (await queue.getJobScheduler(SCHEDULER.stageRecovery)) !== undefined &&
          (await reveal.getJobScheduler(SCHEDULER.revealSweep)) !== undefined,
        { timeoutMs: 10_000, message: "both schedules to be recreated" },
      );
      expect((await queue.getJobSchedulers()).length).toBe(1);
      expect((await reveal.getJobSchedulers()).length).toBe(1);
      expect(await queue.getGlobalConcurrency()).toBe(1);
      expect(await reveal.getGlobalConcurrency()).toBe(1);
    } finally {
      await queue.close();
      await stopAll(a, parts);
    }
  });
});

describe("a Redis wipe while the pipeline runs", () => {
  test("every token is still revealed exactly once, generated once, with no restart and no periodic pass", async () => {
    const p = await s.start({
      IMAGE_PROVIDER: "local",
      IPFS_PROVIDER: "local",
      KEEPER_PRIVATE_KEY: anvilKey(1),
      REVEAL_CONFIRMATIONS: "0",
      BATCH_REVEAL_WAIT_SECONDS: "0",
      WORKER_LOCK_DURATION_MS: "1000",
      GENERATE_TIMEOUT_SECONDS: "5",
      IMAGE_DOWNLOAD_TIMEOUT_MS: "1000",
      PIN_TIMEOUT_MS: "1000",
      // An hour: the recovery after the wipe comes from the watchdog noticing it, not from the schedule.
      RECOVER_INTERVAL_SECONDS: "3600",
    });
    const parts: { close: () => Promise<void> }[] = [];
    try {
      // The 60 s reveal sweep is wiped with Redis anyway; an hour keeps it out of the picture.
      const reveal: RevealWorker = await startRevealWorker(p.ctx, { sweepMs: 3_600_000 });
      parts.push(reveal, await startStageRecovery(p.ctx, { watchMs: 200, schedulers: reveal.schedulers }));
      const all = (xs: GenerateJobData[]) => xs.map((j) => j.tokenId);

      // Some tokens go all the way.
      const early = await s.mintJobs(author, 3);
      await s.enqueue(p, early);
      for (const id of all(early)) await s.until(id, ["revealed"]);

      // Some stop at `generated`, their pin jobs waiting.
      await p.workers.pin.pause();
      const pinning = await s.mintJobs(author, 3);
      await s.enqueue(p, pinning);
      for (const id of all(pinning)) await s.until(id, ["generated"]);

      // Some are detected or generating, their generate jobs waiting for a retry.
      await p.workers.generate.pause();
      const detected = await s.mintJobs(author, 3);
      const generating = await s.mintJobs(author, 2);
      await seedDetected(detected, 0);
      await seedDetected(generating, 0, "generating");
      await s.enqueue(p, [...detected, ...generating]);

      // Wipe and count in one atomic script: the watchdog checks five times a second and may refill
      // the queues between a separate FLUSHALL and a count.
      expect(await p.ctx.redis.eval("redis.call('FLUSHALL'); return redis.call('DBSIZE')", 0)).toBe(0);
      p.workers.pin.resume();
      p.workers.generate.resume();

      const ids = all([...early, ...pinning, ...detected, ...generating]);
      for (const id of ids) {
        const token = await s.until(id, ["revealed", "failed"], 45_000);
        expect(token.status).toBe("revealed");
      }

      const { counts } = await revealedOnChain(s.anvil().url, s.contract());
      for (const id of ids) expect(counts.get(id)).toBe(1);
      const bad = await s.db().selectFrom("reveal_transactions").select(["status", "error"]).execute();
      expect(bad.filter((t) => t.status !== "mined")).toEqual([]);
      for (const id of ids) {
        const history = await tokenHistory(s.db(), { chainId: 31337, tokenId: id });
        expect(history.filter((e) => e.to_status === "generated").length).toBe(1);
      }
    } finally {
      await stopAll(p, parts);
    }
  }, 120_000);
});

describe("a Redis wipe under an active job", () => {
  test("the job's lost lock is the job's problem, not a Redis outage: the outage log stays quiet", async () => {
    const p = await s.start({ WORKER_LOCK_DURATION_MS: "1000" });
    const errors: string[] = [];
    p.workers.generate.on("error", (error) => errors.push(error.message));
    s.replicate().behaviour.hold = true;
    try {
      const job = await s.mintJob(author);
      await s.enqueue(p, [job]);
      await s.until(job.tokenId, ["generating"]);
      await waitFor(() => s.replicate().predictions.size > 0, { message: "a prediction held" });
      await p.ctx.redis.flushall();
      // The worker renews its lock every half period and finds the job gone from Redis.
      await waitFor(() => errors.some((e) => /could not renew lock|Missing (key|lock)/.test(e)), {
        timeoutMs: 10_000,
        message: "the worker to report the lost lock",
      });
      expect(p.ctx.outages.redis.down()).toBe(false);
    } finally {
      s.replicate().release();
    }
  });
});

describe("a Redis wipe before any worker ran the generate jobs (no pipeline rows)", () => {
  const reveal = {
    IMAGE_PROVIDER: "local",
    IPFS_PROVIDER: "local",
    KEEPER_PRIVATE_KEY: anvilKey(1),
    REVEAL_CONFIRMATIONS: "0",
    BATCH_REVEAL_WAIT_SECONDS: "0",
    WORKER_LOCK_DURATION_MS: "1000",
    RECOVER_MINT_GRACE_BLOCKS: "3",
  };

  test("recovery finds the mints on the chain: every token revealed once, for its author", async () => {
    const p = await s.start({ ...reveal, RECOVER_INTERVAL_SECONDS: "1" });
    const parts: { close: () => Promise<void> }[] = [];
    try {
      await p.workers.generate.pause();
      const jobs = [...(await s.mintJobs(author, 3)), ...(await s.mintJobs(otherAuthor, 2))];
      await s.enqueue(p, jobs);
      await p.ctx.redis.flushall();
      const ids = jobs.map((j) => j.tokenId);
      const rows = await s.db().selectFrom("tokens").select("token_id").where("token_id", "in", ids).execute();
      expect(rows).toEqual([]);
      // Past the grace period: the indexer would have enqueued them by now, and it did (lost with Redis).
      await s.anvil().rpc("anvil_mine", [3]);
      p.workers.generate.resume();
      const revealWorker: RevealWorker = await startRevealWorker(p.ctx, { sweepMs: 3_600_000 });
      parts.push(revealWorker, await startStageRecovery(p.ctx, { watchMs: 200 }));

      for (const id of ids) expect((await s.until(id, ["revealed", "failed"], 45_000)).status).toBe("revealed");
      const { counts } = await revealedOnChain(s.anvil().url, s.contract());
      for (const id of ids) expect(counts.get(id)).toBe(1);
      const { publicClient } = localClients(s.anvil().url);
      for (const j of jobs) {
        // The recovered job is the indexer's: same id, same data.
        expect((await p.ctx.queues.generate.getJob(generateJobId(j)))?.data).toEqual(asIndexed(j));
        const uri = await publicClient.readContract({
          address: s.contract(),
          abi: GliskNFTAbi,
          functionName: "tokenURI",
          args: [BigInt(j.tokenId)],
        });
        const object = await readIpfsObject(s.ipfsDir(), uri.replace("ipfs://", ""));
        const metadata = JSON.parse(new TextDecoder().decode(object?.bytes)) as {
          attributes: { trait_type: string; value: unknown }[];
        };
        const credited = metadata.attributes.find((a) => a.trait_type === "Prompt Author")?.value;
        expect(credited).toBe(getAddress(j.promptAuthor));
      }
      for (const id of ids) {
        const history = await tokenHistory(s.db(), { chainId: 31337, tokenId: id });
        expect(history.filter((e) => e.to_status === "generated").length).toBe(1);
      }
    } finally {
      await stopAll(p, parts);
    }
  }, 120_000);

  test("only the ids with no row are enqueued, the lowest first, a bounded number per pass", async () => {
    const p = await s.start({ ...reveal, RECOVER_INTERVAL_SECONDS: "0" });
    await p.workers.close();
    const jobs = await s.mintJobs(otherAuthor, 4);
    const [a, b, c, d] = jobs;
    if (!a || !b || !c || !d) throw new Error("no jobs");
    await seedDetected([a, c], 0);
    await s.anvil().rpc("anvil_mine", [3]);
    const queued = async () =>
      (await Promise.all(jobs.map((j) => p.ctx.queues.generate.getJob(generateJobId(j))))).map((j) => j?.data);
    expect(await recoverMissingMints(p.ctx, { maxIds: 1 })).toEqual({ missing: 1, enqueued: 1, young: 0, notFound: 0 });
    expect(await queued()).toEqual([undefined, asIndexed(b), undefined, undefined]);
    expect(await recoverMissingMints(p.ctx, { maxIds: 1 })).toEqual({ missing: 1, enqueued: 0, young: 0, notFound: 0 });
    expect(await recoverMissingMints(p.ctx)).toEqual({ missing: 2, enqueued: 1, young: 0, notFound: 0 });
    expect(await queued()).toEqual([undefined, asIndexed(b), undefined, asIndexed(d)]);
    // Rows for the rest too, so the next test finds only its own mint missing.
    await seedDetected([b, d], 0);
  });

  test("a mint younger than the grace period is left to the indexer", async () => {
    const p = await s.start({ ...reveal, RECOVER_INTERVAL_SECONDS: "0" });
    await p.workers.close();
    const [young] = await s.mintJobs(author, 1);
    if (!young) throw new Error("no job");
    expect(await recoverStages(p.ctx)).toMatchObject({ minted: 0 });
    expect(await p.ctx.queues.generate.getJob(generateJobId(young))).toBeUndefined();
    // Once it is old enough, the same pass enqueues it.
    await s.anvil().rpc("anvil_mine", [3]);
    expect(await recoverStages(p.ctx)).toMatchObject({ minted: 1 });
    expect((await p.ctx.queues.generate.getJob(generateJobId(young)))?.data).toEqual(asIndexed(young));
    expect(await recoverStages(p.ctx)).toMatchObject({ minted: 0 });
  });

  test("after a wipe, the watchdog's pass takes even a mint younger than the grace period: the wipe took the indexer's job", async () => {
    const p = await s.start({ ...reveal, RECOVER_INTERVAL_SECONDS: "3600", RECOVER_MINT_GRACE_BLOCKS: "1000" });
    const parts: { close: () => Promise<void> }[] = [];
    try {
      await p.workers.generate.pause();
      const [young] = await s.mintJobs(author, 1);
      if (!young) throw new Error("no job");
      await s.enqueue(p, [young]);
      parts.push(await startStageRecovery(p.ctx, { watchMs: 100 }));
      await p.ctx.redis.flushall();
      const job = await waitFor(() => p.ctx.queues.generate.getJob(generateJobId(young)), {
        timeoutMs: 10_000,
        message: "the young mint's generate job back after the wipe",
      });
      expect(job.data).toEqual(asIndexed(young));
    } finally {
      await stopAll(p, parts);
    }
  });
});
