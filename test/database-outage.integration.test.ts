/**
 * A paid prediction whose id cannot be stored because the database just went away (a Postgres
 * restart or failover between Replicate's answer and the write): the generate stage must wait the
 * outage out and store the id, not fail the attempt, whose retry would pay for a second prediction.
 * The pipeline reaches Postgres through a TCP proxy that the fake provider closes the moment it has
 * created the prediction. Needs TEST_DATABASE_URL (the outage is a Postgres connection's).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateJobData, generateJobId, stageJobOptions } from "../common/jobs";
import { createLogger } from "../common/logger";
import { type FakeReplicate, startFakeReplicate } from "../fakes/replicate";
import { startTcpProxy, type TcpProxy } from "../fakes/tcp-proxy";
import { parseConfig } from "../pipeline/config";
import { type Context, createContext } from "../pipeline/context";
import { createDatabase, type Db } from "../pipeline/db/database";
import { getToken } from "../pipeline/db/token-queries";
import { type StageWorkers, startStageWorkers } from "../pipeline/workers";
import { anvilAccount, deployGlisk, mint, waitFor } from "../scripts/lib/glisk";
import { createScratchDatabase, type ScratchDatabase } from "../scripts/lib/scratch-database";
import { useAnvil, useRedis } from "./helpers/services";

const anvil = useAnvil();
const redis = useRedis();
const author = anvilAccount(3).address;

describe.skipIf(!process.env.TEST_DATABASE_URL)("a database outage right after a paid prediction is created", () => {
  let database: ScratchDatabase & { drop: () => Promise<void> };
  let direct: Db;
  let proxy: TcpProxy;
  let replicate: FakeReplicate;
  let ipfsDir: string;
  let ctx: Context;
  let workers: StageWorkers;
  let contract: `0x${string}`;

  beforeAll(async () => {
    ({ address: contract } = await deployGlisk({ rpcUrl: anvil().url, keeper: anvilAccount(1).address }));
    database = await createScratchDatabase();
    if (database.kind !== "postgres") throw new Error("needs Postgres");
    direct = await createDatabase({ url: database.url });
    const url = new URL(database.url);
    proxy = await startTcpProxy({ targetPort: Number(url.port || 5432), targetHost: url.hostname });
    url.host = `127.0.0.1:${proxy.port}`;
    replicate = await startFakeReplicate();
    ipfsDir = mkdtempSync(path.join(tmpdir(), "glisk-db-outage-"));
    const config = parseConfig({
      NODE_ENV: "test",
      REDIS_URL: redis().url,
      QUEUE_PREFIX: `dbo${process.pid}`,
      DATABASE_URL: url.toString(),
      GLISK_NETWORK: "anvil",
      PONDER_RPC_URL_31337: anvil().url,
      GLISK_CONTRACT_ADDRESS: contract,
      GLISK_START_BLOCK: "1",
      ...replicate.env,
      REPLICATE_POLL_INTERVAL_MS: "20",
      IPFS_PROVIDER: "local",
      IPFS_DATA_DIR: ipfsDir,
      JOB_ATTEMPTS: "12",
      JOB_BACKOFF_MS: "50",
      WORKER_LOCK_DURATION_MS: "2000",
    });
    ctx = await createContext(config, { logger: createLogger({ level: "silent" }) });
    workers = startStageWorkers(ctx);
  });

  afterAll(async () => {
    await workers?.close();
    await ctx?.close();
    await proxy?.close();
    await replicate?.close();
    await direct?.destroy();
    await database?.drop();
    if (ipfsDir) rmSync(ipfsDir, { recursive: true, force: true });
  });

  test("the prediction id is stored once the database is back, and the token is made from that one prediction", async () => {
    // The provider has accepted (and billed) the prediction; then every database connection is cut
    // and refused for 1.5 s, longer than several retries of the job would take.
    replicate.behaviour.afterCreate = async () => {
      replicate.behaviour.afterCreate = undefined;
      await proxy.setMode("refuse");
      setTimeout(() => void proxy.setMode("pass"), 1_500);
    };
    const minted = await mint({ rpcUrl: anvil().url, address: contract, author, quantity: 1 });
    const data = generateJobData({
      chainId: 31337,
      contract,
      tokenId: minted.tokenIds[0] as bigint,
      author,
      minter: anvilAccount(2).address,
      mintTxHash: minted.txHash,
      mintBlockNumber: minted.blockNumber,
    });
    await ctx.queues.generate.add("generate", data, { ...stageJobOptions(12, 50), jobId: generateJobId(data) });
    const token = await waitFor(
      async () => {
        const row = await getToken(direct, { chainId: 31337, tokenId: data.tokenId });
        return row && ["generated", "uploaded", "failed"].includes(row.status) ? row : undefined;
      },
      { timeoutMs: 30_000, message: "the token generated" },
    );
    expect(token.status).not.toBe("failed");
    expect(replicate.predictions.size).toBe(1);
    expect(token.prediction_id).toBe([...replicate.predictions.keys()][0]);
  });
});
