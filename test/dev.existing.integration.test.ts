/**
 * `npm run dev` against an existing deployment: GLISK_CONTRACT_ADDRESS and an RPC URL given, dev
 * starts no anvil and deploys nothing, says what it uses, and the indexer and the pipeline reveal
 * that deployment's tokens with KEEPER_PRIVATE_KEY's wallet.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { type Address, getAddress, type Hash, zeroAddress } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GliskNFTAbi } from "../abis/GliskNFTAbi";
import { devPaths } from "../common/local-stack";
import { readSession } from "../scripts/dev/session";
import { type DevRun, startDev } from "../scripts/lib/dev-run";
import { anvilAccount, anvilKey, deployGlisk, localClients, mint, waitFor } from "../scripts/lib/glisk";
import { isListening, type Service, startAnvil } from "../scripts/lib/processes";

const root = path.resolve(import.meta.dirname, "..");
const TOKEN = "existing-admin-token-0123456789ab";
const keeper = anvilAccount(5);

let chain: Service;
let contract: Address;
let startBlock: number;
let dev: DevRun;

const isRevealed = (id: bigint) =>
  localClients(chain.url).publicClient.readContract({
    address: contract,
    abi: GliskNFTAbi,
    functionName: "isRevealed",
    args: [id],
  });

beforeAll(async () => {
  chain = await startAnvil({ blockTime: 1 });
  const deployed = await deployGlisk({ rpcUrl: chain.url, keeper: keeper.address });
  contract = getAddress(deployed.address);
  startBlock = deployed.startBlock;
  await mint({ rpcUrl: chain.url, address: contract, author: anvilAccount(3).address, quantity: 2 });
  await mint({ rpcUrl: chain.url, address: contract, author: zeroAddress, quantity: 1 });
  dev = await startDev({
    GLISK_CONTRACT_ADDRESS: contract,
    GLISK_START_BLOCK: String(startBlock),
    PONDER_RPC_URL_31337: chain.url,
    KEEPER_PRIVATE_KEY: anvilKey(5),
    ADMIN_API_TOKEN: TOKEN,
    BATCH_REVEAL_WAIT_SECONDS: "1",
    INDEXER_STALL_RESTART_SECONDS: "3",
  });
  await dev.ready();
}, 300_000);

afterAll(async () => {
  await dev?.cleanup();
  await chain?.stop();
}, 90_000);

describe("npm run dev against an existing deployment", () => {
  test("starts no anvil, deploys nothing, and prints what it uses", async () => {
    const out = dev.output();
    expect(out).toContain(`existing deployment: no local chain; using ${chain.url} (chain 31337)`);
    expect(out).toContain("GLISK is running against an existing deployment");
    expect(out).toContain(`${contract} (from block ${startBlock}), keeper ${keeper.address}`);
    expect(out).not.toMatch(/^\[anvil\]/m);
    expect(await isListening(dev.ports.anvil)).toBe(false);
    expect(existsSync(path.join(dev.dir, "deployment.json"))).toBe(false);
  });

  test("reveals the deployment's tokens, the zero-author one included, with KEEPER_PRIVATE_KEY's wallet", async () => {
    const detail = async (id: bigint) =>
      (await (
        await fetch(`http://127.0.0.1:${dev.ports.pipeline}/admin/tokens/${id}`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        })
      ).json()) as { pipeline: { status: string; revealTxHash: Hash } | null };
    // Revealed on-chain, and recorded so by the pipeline once it has seen the receipt.
    await waitFor(
      async () =>
        (await Promise.all([1n, 2n, 3n].map(isRevealed))).every(Boolean) &&
        (await Promise.all([1n, 2n, 3n].map(detail))).every((d) => d.pipeline?.status === "revealed"),
      { timeoutMs: 150_000, intervalMs: 500, message: "tokens 1-3 revealed" },
    );
    const body = await detail(3n);
    if (!body.pipeline) throw new Error("token 3 has no pipeline row");
    const tx = await localClients(chain.url).publicClient.getTransaction({ hash: body.pipeline.revealTxHash });
    expect(getAddress(tx.from)).toBe(keeper.address);
  }, 180_000);

  test("npm run mint refuses: it mints only on dev's own chains", async () => {
    const run = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        ["scripts/launch.cjs", "scripts/mint.ts"],
        { cwd: root, env: dev.env },
        (error, _stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code) : 0, stderr }),
      ),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`npm run dev runs against the existing deployment ${contract}`);
  });

  test("an indexer that stops answering is replaced, and the rest of the stack keeps running", async () => {
    const indexerPid = () =>
      readSession(devPaths({ GLISK_DEV_DIR: dev.dir }))
        ?.children?.filter((c) => c.name === "indexer")
        .at(-1)?.pid;
    const hung = indexerPid();
    if (!hung) throw new Error("no indexer recorded in the session");
    process.kill(hung, "SIGSTOP"); // alive, and answering nothing: a blocked event loop looks the same
    await waitFor(() => dev.output().includes("restarting the indexer: indexer not answering for over 3 s"), {
      timeoutMs: 60_000,
      message: "dev to notice the silent indexer",
    }).catch((error) => {
      console.log(hung, JSON.stringify(readSession(devPaths({ GLISK_DEV_DIR: dev.dir }))), dev.output().slice(-3000));
      throw error;
    });
    await waitFor(
      async () =>
        indexerPid() !== hung &&
        (await fetch(`http://127.0.0.1:${dev.ports.indexer}/ready`).catch(() => undefined))?.status === 200,
      { timeoutMs: 120_000, intervalMs: 500, message: "a new indexer ready" },
    );
    expect(() => process.kill(hung, 0)).toThrow(); // the hung one is gone
    expect(dev.child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${dev.ports.pipeline}/health`)).status).toBe(200);
  }, 180_000);

  test("Ctrl-C stops dev's services and leaves the chain it did not start running", async () => {
    expect(await dev.interrupt()).toBe(0);
    for (const port of [dev.ports.indexer, dev.ports.pipeline]) expect(await isListening(port)).toBe(false);
    expect(await localClients(chain.url).publicClient.getBlockNumber()).toBeGreaterThan(0n);
  }, 90_000);
});
