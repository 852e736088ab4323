/**
 * Secrets never leave the process: a secret in the RPC URL, the provider's API token echoed back in
 * a provider error body, and the admin token are planted, the real pipeline process runs into both
 * failures, and none of them is found in its output, the database, Redis or any API response.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, describe, expect, test } from "vitest";
import { generateJobId, stageJobOptions } from "../common/jobs";
import { startTcpProxy, type TcpProxy } from "../fakes/tcp-proxy";
import { anvilAccount, waitFor } from "../scripts/lib/glisk";
import { freePort, stopProcess } from "../scripts/lib/processes";
import { createScratchDatabase } from "../scripts/lib/scratch-database";
import { databaseEnv, openScratchDatabase, useStages } from "./helpers/stages";

const s = useStages();
const RPC_SECRET = "rpc-key-5ecret-0f-the-provider";
const ADMIN = "admin-5ecret-token-0123456789";
const author = anvilAccount(6).address;

let child: ChildProcess | undefined;
let proxy: TcpProxy | undefined;
afterAll(async () => {
  await stopProcess(child);
  await proxy?.close();
});

/** Every string value stored under the queue prefix: job hashes, lists, sets and sorted sets. */
async function redisText(url: string, prefix: string): Promise<string> {
  const redis = new Redis(url);
  const parts: string[] = [];
  try {
    for (const key of await redis.keys(`${prefix}:*`)) {
      parts.push(key);
      const type = await redis.type(key);
      if (type === "hash") parts.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === "string") parts.push((await redis.get(key)) ?? "");
      else if (type === "list") parts.push(...(await redis.lrange(key, 0, -1)));
      else if (type === "zset") parts.push(...(await redis.zrange(key, 0, -1)));
      else if (type === "set") parts.push(...(await redis.smembers(key)));
      else if (type === "stream") parts.push(JSON.stringify(await redis.xrange(key, "-", "+")));
    }
  } finally {
    redis.disconnect();
  }
  return parts.join("\n");
}

describe("secrets", () => {
  test("appear in no log line, row, Redis key or API response, even when an error echoes them", async () => {
    const database = await createScratchDatabase();
    const anvilPort = Number(new URL(s.env().PONDER_RPC_URL_31337 ?? "").port);
    proxy = await startTcpProxy({ targetPort: anvilPort });
    const port = await freePort();
    const env = s.env({
      ...databaseEnv(database),
      LOG_LEVEL: "info",
      PORT: String(port),
      ADMIN_API_TOKEN: ADMIN,
      PONDER_RPC_URL_31337: `${proxy.url()}/?apikey=${RPC_SECRET}`,
      RECOVER_ON_START: "false",
      JOB_ATTEMPTS: "2",
    });
    const token = s.replicate().token;
    // The provider answers with an error body that quotes the credential it was sent.
    s.replicate().reset();
    s.replicate().faults.push("create", {
      status: 422,
      body: { title: "Unprocessable", detail: `input refused for Authorization: Bearer ${token}`, status: 422 },
    });
    let output = "";
    child = spawn(process.execPath, ["--import", "tsx", "pipeline/main.ts"], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr?.on("data", (b: Buffer) => (output += b.toString()));
    const api = (path: string) =>
      fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    await waitFor(async () => (await api("/health").catch(() => undefined))?.ok, { message: "pipeline up" });

    const connection = new Redis(env.REDIS_URL ?? "", { maxRetriesPerRequest: 1 });
    const queue = new Queue("generate", { connection, prefix: env.QUEUE_PREFIX });
    const add = async (job: Awaited<ReturnType<typeof s.mintJob>>) =>
      queue.add("generate", job, { ...stageJobOptions(2, 50), jobId: generateJobId(job) });
    try {
      // 1. The RPC is down: viem's errors carry the full RPC URL, key included.
      await proxy.setMode("refuse");
      const unreachable = await s.mintJob(author);
      await add(unreachable);
      await waitFor(async () => (await queue.getFailedCount()) > 0, { message: "the job to fail on the RPC" });
      await proxy.setMode("pass");
      // 2. The provider refuses the token with a body that echoes the API token.
      const refused = await s.mintJob(author);
      await add(refused);
      // Waiting through the admin API: on PGlite the pipeline holds the database until it stops.
      await waitFor(
        async () =>
          ((await (await api(`/admin/tokens/${refused.tokenId}`)).json()) as { pipeline?: { status?: string } })
            .pipeline?.status === "failed",
        {
          message: "the refused token failed",
        },
      ).catch(async (e) => {
        console.log(JSON.stringify(await queue.getJobCounts()), output.slice(-4000));
        throw e;
      });
      const responses = await Promise.all(
        [
          "/admin/tokens",
          `/admin/tokens/${refused.tokenId}`,
          "/admin/system",
          "/admin/queues/api/queues",
          "/health/ready",
        ].map(async (path) => `${path} ${await (await api(path)).text()}`),
      );
      const redis = await redisText(env.REDIS_URL ?? "", env.QUEUE_PREFIX ?? "");
      await stopProcess(child);
      const db = await openScratchDatabase(database);
      let rows: string;
      try {
        rows = JSON.stringify([
          await db.selectFrom("tokens").selectAll().execute(),
          await db.selectFrom("token_events").selectAll().execute(),
        ]);
      } finally {
        await db.destroy();
      }
      expect(rows).toContain("input refused for Authorization: Bearer [redacted]");
      expect(redis).toContain("[redacted]"); // the failed jobs' reasons were scrubbed, not dropped
      for (const [where, text] of Object.entries({ output, rows, redis, responses: responses.join("\n") })) {
        for (const secret of [RPC_SECRET, token, ADMIN]) expect(text, `${secret} in ${where}`).not.toContain(secret);
      }
      expect(output).toContain("[redacted]");
    } finally {
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
      connection.disconnect();
      await stopProcess(child);
      await database.drop();
    }
  }, 90_000);
});
