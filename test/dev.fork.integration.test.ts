/**
 * Fork mode, offline: a second anvil stands for Base (chain 8453, Multicall3 in place) and holds a
 * GliskNFT deployment whose admin is not anvil's account 0, with tokens minted before the fork (one
 * revealed by that network's own keeper, two without an author). `ANVIL_FORK_URL=<it> npm run dev`
 * forks it, grants the dev keeper KEEPER_ROLE by impersonating the admin it finds in RoleGranted logs,
 * and reveals every unrevealed pre-fork token and a new one on the fork, sending nothing to the
 * forked-from chain.
 */

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import path from "node:path";
import { type Address, getAddress, type Hash, type Hex, keccak256, toHex, zeroAddress } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GliskNFTAbi } from "../abis/GliskNFTAbi";
import { pipelineEnv } from "../pipeline/config";
import { type DevRun, startDev } from "../scripts/lib/dev-run";
import { anvilAccount, anvilKey, deployGlisk, localClients, mint, waitFor } from "../scripts/lib/glisk";
import { isListening, type Service, startAnvil } from "../scripts/lib/processes";
import { installMulticall3 } from "./helpers/multicall3";
import { rpc } from "./helpers/services";

const root = path.resolve(import.meta.dirname, "..");
const BASE = 8453;
const TOKEN = "fork-admin-token-0123456789abcdef";
const KEEPER_ROLE = keccak256(toHex("KEEPER_ROLE"));
const admin = anvilAccount(7);
const networkKeeper = anvilAccount(8);
const devKeeper = anvilAccount(1).address;
const author = anvilAccount(3).address;
const DEFAULT_PROMPT = pipelineEnv.shape.DEFAULT_PROMPT.parse(undefined);

let origin: Service;
let contract: Address;
let startBlock: number;
let forkedAt: number;
let dev: DevRun;

const read = <T>(url: string, functionName: string, args: readonly unknown[] = []) =>
  localClients(url, BASE).publicClient.readContract({
    address: contract,
    abi: GliskNFTAbi,
    functionName,
    args,
  } as never) as Promise<T>;
const forkUrl = () => `http://127.0.0.1:${dev.ports.anvil}`;
const api = (p: string) =>
  fetch(`http://127.0.0.1:${dev.ports.pipeline}${p}`, { headers: { authorization: `Bearer ${TOKEN}` } });

beforeAll(async () => {
  origin = await startAnvil({ chainId: BASE });
  await installMulticall3(origin.url);
  const deployed = await deployGlisk({
    rpcUrl: origin.url,
    chainId: BASE,
    deployer: admin,
    keeper: networkKeeper.address,
  });
  contract = getAddress(deployed.address);
  startBlock = deployed.startBlock;
  const on = { rpcUrl: origin.url, chainId: BASE, address: contract };
  await mint({ ...on, author, quantity: 3 });
  await mint({ ...on, author: zeroAddress, quantity: 2 });
  const { publicClient, walletFor } = localClients(origin.url, BASE);
  const hash = await walletFor(networkKeeper).writeContract({
    address: contract,
    abi: GliskNFTAbi,
    functionName: "revealTokens",
    args: [[1n], ["ipfs://revealed-before-the-fork"]],
  });
  await publicClient.waitForTransactionReceipt({ hash });
  forkedAt = Number(await rpc<Hex>(origin.url, "eth_blockNumber"));
  dev = await startDev({
    ANVIL_FORK_URL: origin.url,
    GLISK_NETWORK: "base",
    GLISK_CONTRACT_ADDRESS: contract,
    GLISK_START_BLOCK: String(startBlock),
    // Point at the forked-from chain and at its real keeper on purpose: dev must use the fork's URL
    // and its own keeper, never a key whose transactions would be valid on the network.
    PONDER_RPC_URL_8453: origin.url,
    KEEPER_PRIVATE_KEY: anvilKey(8),
    ADMIN_API_TOKEN: TOKEN,
    BATCH_REVEAL_WAIT_SECONDS: "1",
  });
  await dev.ready();
}, 300_000);

afterAll(async () => {
  await dev?.cleanup();
  await origin?.stop();
}, 90_000);

describe("npm run dev on a local fork", () => {
  test("says it is a fork, of what and at which block, and who granted the keeper its role", () => {
    const out = dev.output();
    expect(out).toContain("GLISK is running on a local fork");
    expect(out).toContain(`local fork of chain ${BASE} (base) from ${origin.url} at block ${forkedAt}`);
    expect(out).toContain(`${contract} (from block ${startBlock})`);
    expect(out).toContain("KEEPER_PRIVATE_KEY is not used on a fork: the dev keeper (anvil account 1) reveals there");
    expect(out).toContain(`KEEPER_ROLE granted on the fork to ${devKeeper} by the contract's admin ${admin.address}`);
    expect(out).not.toMatch(/\[anvil\].*Deployed|redeployed/);
  });

  test("every token minted and unrevealed before the fork is revealed on the fork, the zero-author ones from DEFAULT_PROMPT", async () => {
    const ids = [2n, 3n, 4n, 5n];
    const status = async (id: bigint) =>
      ((await (await api(`/admin/tokens/${id}`)).json()) as { pipeline: { status: string } | null }).pipeline?.status;
    // Revealed on the fork, and recorded so by the pipeline once it has seen the receipt.
    await waitFor(
      async () =>
        (await Promise.all(ids.map((id) => read<boolean>(forkUrl(), "isRevealed", [id])))).every(Boolean) &&
        (await Promise.all(ids.map(status))).every((s) => s === "revealed"),
      { timeoutMs: 150_000, intervalMs: 500, message: "pre-fork tokens revealed on the fork" },
    );
    for (const id of ids) {
      const body = (await (await api(`/admin/tokens/${id}`)).json()) as {
        pipeline: { status: string; metadataCid: string; promptHash: string; author: string; revealTxHash: Hash };
      };
      expect(body.pipeline.status).toBe("revealed");
      const tx = await localClients(forkUrl(), BASE).publicClient.getTransaction({ hash: body.pipeline.revealTxHash });
      expect(getAddress(tx.from)).toBe(devKeeper);
      expect(await read<string>(forkUrl(), "tokenURI", [id])).toBe(`ipfs://${body.pipeline.metadataCid}`);
      if (id >= 4n) {
        expect(body.pipeline.author).toBe(zeroAddress);
        expect(body.pipeline.promptHash).toBe(createHash("sha256").update(DEFAULT_PROMPT).digest("hex"));
      }
    }
    // Revealed before the fork: recorded as revealed, never regenerated nor sent again.
    expect(await read<string>(forkUrl(), "tokenURI", [1n])).toBe("ipfs://revealed-before-the-fork");
    await waitFor(async () => (await status(1n)) === "revealed", { message: "token 1 recorded as revealed" });
    const first = (await (await api("/admin/tokens/1")).json()) as {
      pipeline: { status: string; imageCid: string | null };
    };
    expect(first.pipeline).toMatchObject({ status: "revealed", imageCid: null });
  }, 180_000);

  test("npm run mint mints on the fork, and the new token is revealed there too", async () => {
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        ["scripts/launch.cjs", "scripts/mint.ts", "--quantity", "1"],
        { cwd: root, env: dev.env, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
      ),
    );
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("Tokens 6 minted");
    await waitFor(() => read<boolean>(forkUrl(), "isRevealed", [6n]), {
      timeoutMs: 90_000,
      intervalMs: 500,
      message: "token 6 revealed on the fork",
    });
  }, 120_000);

  test("nothing was sent to the forked-from chain", async () => {
    expect(Number(await rpc<Hex>(origin.url, "eth_blockNumber"))).toBe(forkedAt);
    expect(await read<bigint>(origin.url, "nextTokenId")).toBe(6n);
    for (const id of [2n, 3n, 4n, 5n]) expect(await read<boolean>(origin.url, "isRevealed", [id])).toBe(false);
    expect(await read<boolean>(origin.url, "hasRole", [KEEPER_ROLE, devKeeper])).toBe(false);
    expect(await read<boolean>(forkUrl(), "hasRole", [KEEPER_ROLE, devKeeper])).toBe(true);
  });

  test("Ctrl-C stops the fork and every service", async () => {
    expect(await dev.interrupt()).toBe(0);
    for (const port of Object.values(dev.ports)) expect(await isListening(port), `port ${port}`).toBe(false);
  }, 90_000);
});
