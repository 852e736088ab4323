import { type ChildProcess, spawn } from "node:child_process";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { describe, expect, test } from "vitest";
import { type GenerateJobData, generateJobId, stageJobOptions } from "../common/jobs";
import { anvilAccount, waitFor } from "../scripts/lib/glisk";
import { stopProcess } from "../scripts/lib/processes";
import { createScratchDatabase } from "../scripts/lib/scratch-database";
import { databaseEnv, finishInProcess, useStages } from "./helpers/stages";

const s = useStages();
const author = anvilAccount(5).address;

/** Starts test/fixtures/stage-workers.ts with `env` and resolves once its workers are ready. */
async function startChild(env: Record<string, string>): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/stage-workers.ts"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout?.on("data", (b: Buffer) => {
    text += b.toString();
  });
  child.stderr?.on("data", (b: Buffer) => {
    text += b.toString();
  });
  await waitFor(() => text.includes("ready"), { timeoutMs: 30_000, message: `child ready (output: ${text})` });
  return { child, output: () => text };
}

async function enqueue(env: Record<string, string>, data: GenerateJobData) {
  const connection = new Redis(env.REDIS_URL ?? "", { maxRetriesPerRequest: 1 });
  const queue = new Queue("generate", { connection, prefix: env.QUEUE_PREFIX });
  await queue.add("generate", data, { ...stageJobOptions(4, 50), jobId: generateJobId(data) });
  return {
    queue,
    close: async () => {
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
      await connection.quit();
    },
  };
}

/** Sends SIGTERM and expects a clean exit that says it stopped. */
async function sigterm(child: ChildProcess, output: () => string): Promise<void> {
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  child.kill("SIGTERM");
  expect(await exited).toBe(0);
  expect(output()).toContain("stopped");
}

/**
 * A child worker on its own database, started after `setup` shaped the fakes, with one minted token's
 * generate job queued; `cleanup` stops the child and removes the queue and the database.
 */
async function childWithJob(extra: Record<string, string>, setup: () => void) {
  const database = await createScratchDatabase();
  const env = s.env({ ...databaseEnv(database), ...extra });
  s.replicate().reset();
  s.pinata().reset();
  setup();
  const { child, output } = await startChild(env);
  const job = await s.mintJob(author);
  const producer = await enqueue(env, job);
  const cleanup = async () => {
    await stopProcess(child);
    await producer.close();
    await database.drop();
  };
  return { env, database, child, output, job, producer, cleanup };
}

describe("crashes and shutdown", () => {
  test("a worker killed while waiting on a prediction: the next worker resumes it and only one was created", async () => {
    const { env, database, child, job, cleanup } = await childWithJob({ WORKER_LOCK_DURATION_MS: "1000" }, () => {
      s.replicate().behaviour.hold = true;
    });
    try {
      // The child created the prediction and is polling it.
      await waitFor(() => s.replicate().counters.create === 1 && s.replicate().counters.get >= 2, {
        message: "the child to wait on its prediction",
      });
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
      s.replicate().release();

      const token = await finishInProcess({
        env,
        database,
        tokenId: job.tokenId,
        message: "the second worker to finish the token",
      });
      expect(token.status).toBe("uploaded");
      expect(s.replicate().counters.create).toBe(1);
      expect(token.prediction_id).toBe([...s.replicate().predictions.keys()][0]);
    } finally {
      await cleanup();
    }
  });

  test("SIGTERM waits for the active job to finish: nothing is left active", async () => {
    const { child, output, job, producer, cleanup } = await childWithJob({}, () => {
      s.replicate().behaviour.processingPolls = 40;
    });
    try {
      await waitFor(() => s.replicate().counters.get >= 2, { message: "the child to poll its prediction" });
      await sigterm(child, output);
      const stored = await producer.queue.getJob(generateJobId(job));
      expect(await stored?.getState()).toBe("completed");
      expect(await producer.queue.getActiveCount()).toBe(0);
      expect(s.replicate().counters.create).toBe(1);
    } finally {
      await cleanup();
    }
  });

  test("past SHUTDOWN_GRACE_MS a job waiting on a prediction is put back unspent, and resumed later", async () => {
    const { env, database, child, output, job, producer, cleanup } = await childWithJob(
      { SHUTDOWN_GRACE_MS: "300" },
      () => {
        s.replicate().behaviour.hold = true;
      },
    );
    try {
      await waitFor(() => s.replicate().counters.get >= 2, { message: "the child to poll its prediction" });
      await sigterm(child, output);
      const stored = await producer.queue.getJob(generateJobId(job));
      expect(["delayed", "waiting"]).toContain(await stored?.getState());
      expect(stored?.attemptsMade).toBe(0);
      expect(await producer.queue.getActiveCount()).toBe(0);

      s.replicate().release();
      const token = await finishInProcess({
        env,
        database,
        tokenId: job.tokenId,
        message: "the resumed job to finish the token",
      });
      expect(token.status).toBe("uploaded");
      expect(s.replicate().counters.create).toBe(1);
    } finally {
      await cleanup();
    }
  });
});
