/**
 * The indexer through a 30 s RPC outage on a chain with 1 s blocks and the project's 200 ms polling:
 * 15 s black-holed (requests hang), then 15 s refused. Ponder must neither die nor throttle itself
 * into a stall (indexer/rpc-transport.ts): once the RPC answers again it is back at the head.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { indexedBlock, type PonderStatus } from "../common/indexer-lag";
import { startTcpProxy, type TcpProxy } from "../fakes/tcp-proxy";
import { anvilAccount, deployGlisk, localClients, waitFor } from "../scripts/lib/glisk";
import { type PonderProcess, startPonder } from "../scripts/lib/ponder";
import { type Service, startRedis } from "../scripts/lib/processes";
import { useAnvil, useDatabase } from "./helpers/services";

const anvil = useAnvil({ blockTime: 1 });
const database = useDatabase();

let proxy: TcpProxy;
let redis: Service;
let redisDir: string;
let ponder: PonderProcess;

beforeAll(async () => {
  const { address, startBlock } = await deployGlisk({ rpcUrl: anvil().url, keeper: anvilAccount(1).address });
  proxy = await startTcpProxy({ targetPort: anvil().port });
  redisDir = mkdtempSync(path.join(tmpdir(), "glisk-outage-"));
  redis = await startRedis();
  const db = database();
  ponder = await startPonder({
    command: "dev",
    rpcUrl: proxy.url(),
    contract: address,
    startBlock,
    redisUrl: redis.url,
    queuePrefix: `outage${process.pid}`,
    database: db.kind === "pglite" ? { kind: "pglite", dir: path.join(db.dir, "ponder") } : db,
  });
}, 180_000);

afterAll(async () => {
  await ponder?.stop();
  await proxy?.close();
  await redis?.stop();
  rmSync(redisDir, { recursive: true, force: true });
});

/** Blocks between the chain head and what the indexer reports as indexed. */
async function lag(): Promise<number | undefined> {
  const status = (await fetch(`${ponder.url}/status`).then(
    (r) => r.json(),
    () => undefined,
  )) as PonderStatus | undefined;
  const indexed = indexedBlock(status, 31337);
  const head = await localClients(anvil().url).publicClient.getBlockNumber({ cacheTime: 0 });
  return indexed ? Number(head) - indexed.number : undefined;
}

describe("RPC outage", () => {
  test("15 s black-holed then 15 s refused: the indexer stays up and is back at the head after", async () => {
    await waitFor(async () => ((await lag()) ?? 99) <= 2, { timeoutMs: 30_000, message: "caught up before" });
    await proxy.setMode("blackhole");
    await new Promise((r) => setTimeout(r, 15_000));
    await proxy.setMode("refuse");
    await new Promise((r) => setTimeout(r, 15_000));
    const behind = (await lag()) ?? Number.POSITIVE_INFINITY;
    expect(behind).toBeGreaterThan(20);
    await proxy.setMode("pass");
    const back = Date.now();
    await waitFor(async () => ((await lag()) ?? 99) <= 2, {
      timeoutMs: 60_000,
      intervalMs: 250,
      message: "back at the head",
    });
    console.log(
      `indexer back at the head ${((Date.now() - back) / 1000).toFixed(1)} s after the RPC answered (${behind} blocks behind)`,
    );
    expect(ponder.process.exitCode).toBeNull();
  }, 150_000);
});
