/**
 * Reveal transactions that do not simply get mined: stuck (replaced at the same nonce), left behind
 * by a crashed process, dropped by the node, and three processes revealing at once.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import type { Address, Hash } from "viem";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { GliskNFTAbi } from "../abis/GliskNFTAbi";
import type { Context } from "../pipeline/context";
import { createDatabase, type Db } from "../pipeline/db/database";
import { storeIntent } from "../pipeline/db/reveal-transactions";
import { broadcast, signReveal } from "../pipeline/reveal/broadcast";
import { keeperFromConfig } from "../pipeline/reveal/keeper";
import { requestReveal } from "../pipeline/reveal/request";
import { senderFor } from "../pipeline/reveal/sender";
import { type RevealWorker, startRevealWorker } from "../pipeline/workers";
import { anvilAccount, deployGlisk, localClients, mint, waitFor } from "../scripts/lib/glisk";
import { stopProcess } from "../scripts/lib/processes";
import { pipelineEnv, resetTables, revealedOnChain, seedReady, statuses, testContext } from "./helpers/reveal";
import { useAnvil, useDatabase, useRedis } from "./helpers/services";

const anvil = useAnvil();
const redis = useRedis();
const database = useDatabase();
const author = anvilAccount(3).address;
const keeper = anvilAccount(1).address;

let contract: Address;
let startBlock: number;
let db: Db | undefined;
let ctx: Context | undefined;
let worker: RevealWorker | undefined;
const children: ChildProcess[] = [];

const clients = () => localClients(anvil().url);
const services = () => ({ rpcUrl: anvil().url, redisUrl: redis().url, contract, startBlock });
const dbEnv = (): Record<string, string> => {
  const d = database();
  return d.kind === "postgres" ? { DATABASE_URL: d.url } : { PIPELINE_DATA_DIR: d.dir };
};
/** PGlite allows one process at a time: the test closes its handle while a child process runs. */
async function openDb(): Promise<Db> {
  const d = database();
  db ??= await createDatabase(d.kind === "postgres" ? { url: d.url } : { dataDir: d.dir });
  return db;
}
async function closeDb(): Promise<void> {
  await db?.destroy();
  db = undefined;
}

beforeAll(async () => {
  ({ address: contract, startBlock } = await deployGlisk({ rpcUrl: anvil().url, keeper }));
});
beforeEach(async () => resetTables(await openDb()));
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => stopProcess(c)));
  await worker?.close();
  await ctx?.close();
  worker = undefined;
  ctx = undefined;
  await anvil().rpc("evm_setAutomine", [true]);
});
afterAll(async () => closeDb());

async function mintReady(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let left = count; left > 0; left -= 50) {
    const minted = await mint({ rpcUrl: anvil().url, address: contract, author, quantity: Math.min(50, left) });
    ids.push(...(await seedReady(await openDb(), { minted, author })));
  }
  await anvil().rpc("anvil_mine", ["0x2"]);
  return ids;
}

const nonceOf = (blockTag: "latest" | "pending") =>
  clients().publicClient.getTransactionCount({ address: keeper, blockTag });
const rows = async () => (await openDb()).selectFrom("reveal_transactions").selectAll().orderBy("nonce").execute();
const allRevealed = (ids: string[]) => async () =>
  (await statuses(await openDb(), ids)).every((s) => s === "revealed") ? true : undefined;

/** The stored tokens `ids` as a reveal intent carries them. */
async function intentTokens(ids: string[]) {
  const tokens = await (await openDb()).selectFrom("tokens").selectAll().where("token_id", "in", ids).execute();
  return tokens.map((t) => ({
    tokenId: String(t.token_id),
    uri: `ipfs://${t.metadata_cid}`,
    mintTxHash: t.mint_tx_hash,
    mintBlockNumber: t.mint_block_number,
  }));
}

/** Signs a reveal of `ids` at `nonce` as the keeper and stores its intent, as a round does before broadcasting. */
async function storeSignedIntent(c: Context, ids: string[], nonce: number) {
  const k = keeperFromConfig(c.config);
  if (!k) throw new Error("no keeper");
  const tokens = await intentTokens(ids);
  const plan = {
    tokenIds: tokens.map((t) => t.tokenId),
    uris: tokens.map((t) => t.uri),
    nonce,
    gas: 1_000_000n,
    fees: { maxFeePerGas: 10_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n },
  };
  const signed = await signReveal(senderFor(c, { keeper: k }), plan);
  await storeIntent(await openDb(), { chainId: 31337, keeper, tokens, hash: signed.hash, ...plan });
  return signed;
}

/** Starts test/fixtures/reveal-worker.ts as its own pipeline process and waits until its worker runs. */
async function spawnWorker(env: Record<string, string>): Promise<ChildProcess> {
  // node itself with the tsx loader (not the tsx CLI, which forks): a kill reaches the process that works.
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.resolve(import.meta.dirname, "fixtures/reveal-worker.ts")],
    {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.push(child);
  let output = "";
  child.stderr?.on("data", (chunk) => {
    output = (output + chunk.toString()).slice(-4_000);
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("reveal-worker ready")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`reveal worker exited with ${code}:\n${output}`)));
  });
  return child;
}

describe("stuck transaction", () => {
  test("is replaced at the same nonce with bumped fees until it can be mined", async () => {
    const ids = await mintReady(3);
    const before = await nonceOf("latest");
    await anvil().rpc("evm_setAutomine", [false]);
    ctx = await testContext(
      await openDb(),
      pipelineEnv(services(), { REVEAL_STUCK_SECONDS: "1", REVEAL_FEE_BUMP_PERCENT: "25", REVEAL_MAX_FEE_GWEI: "100" }),
    );
    worker = await startRevealWorker(ctx);
    await requestReveal(ctx, { trigger: "manual" });
    const [sent] = await waitFor(async () => {
      const all = await rows();
      return all.length > 0 ? all : undefined;
    });
    // The next block's base fee is above what the first transaction pays: only a replacement can be mined.
    const baseFee = BigInt(sent?.max_fee_per_gas ?? "0") * 2n;
    await anvil().rpc("anvil_setNextBlockBaseFeePerGas", [`0x${baseFee.toString(16)}`]);
    const [row] = await waitFor(
      async () => {
        const all = await rows();
        return all[0] && BigInt(all[0].max_fee_per_gas) >= baseFee ? all : undefined;
      },
      { message: "a replacement paying above the next base fee" },
    );
    expect(row?.status).toBe("pending");
    const first = row?.hashes[0] as Hash;
    expect(row?.hashes.length).toBeGreaterThanOrEqual(2);
    expect(new Set(row?.hashes).size).toBe(row?.hashes.length);
    await anvil().rpc("evm_setAutomine", [true]);
    await anvil().rpc("evm_mine");
    await waitFor(allRevealed(ids), { message: "tokens revealed by the replacement" });
    const [mined] = await rows();
    expect(mined?.status).toBe("mined");
    expect(mined?.hashes).toEqual(expect.arrayContaining(row?.hashes ?? []));
    expect(mined?.mined_hash).not.toBe(first);
    expect(mined?.hashes).toContain(mined?.mined_hash);
    const tx = await clients().publicClient.getTransaction({ hash: mined?.mined_hash as Hash });
    expect(tx.nonce).toBe(mined?.nonce);
    expect(mined?.nonce).toBe(before);
    expect(await nonceOf("latest")).toBe(before + 1);
    const { counts } = await revealedOnChain(anvil().url, contract);
    expect(ids.map((id) => counts.get(id))).toEqual([1, 1, 1]);
  });
});

describe("reverted on-chain", () => {
  test("a reveal that reverts when mined hands its tokens back, and the round re-sends the rest", async () => {
    const ids = await mintReady(4);
    const taken = ids[2] ?? "";
    await anvil().rpc("evm_setAutomine", [false]);
    ctx = await testContext(await openDb(), pipelineEnv(services(), { REVEAL_STUCK_SECONDS: "3600" }));
    worker = await startRevealWorker(ctx);
    await requestReveal(ctx, { trigger: "manual" });
    const [ours] = await waitFor(async () => {
      const all = await rows();
      return all.length > 0 ? all : undefined;
    });
    // Another admin transaction, paying more, reveals one of our ids in the same block, ahead of ours.
    const { walletFor } = clients();
    await walletFor(anvilAccount(0)).writeContract({
      address: contract,
      abi: GliskNFTAbi,
      functionName: "revealTokens",
      args: [[BigInt(taken)], ["ipfs://front-run"]],
      gas: 200_000n,
      maxFeePerGas: BigInt(ours?.max_fee_per_gas ?? "0") * 2n,
      maxPriorityFeePerGas: BigInt(ours?.max_priority_fee_per_gas ?? "0") * 2n,
    });
    await anvil().rpc("evm_setAutomine", [true]);
    await anvil().rpc("evm_mine");
    await waitFor(allRevealed(ids), { message: "the rest revealed by a second transaction" });
    const [reverted, resent] = await rows();
    expect(reverted?.status).toBe("reverted");
    expect(reverted?.token_ids).toEqual(ids);
    expect(resent?.status).toBe("mined");
    expect(resent?.token_ids).toEqual(ids.filter((id) => id !== taken));
    const token = await (await openDb())
      .selectFrom("tokens")
      .selectAll()
      .where("token_id", "=", ids[0] ?? "")
      .executeTakeFirstOrThrow();
    expect(token.reveal_attempts).toBe(2);
    expect(token.reveal_tx_hash).toBe(resent?.mined_hash);
    const { counts } = await revealedOnChain(anvil().url, contract);
    expect(ids.map((id) => counts.get(id))).toEqual([1, 1, 1, 1]);
  });
});

describe("restart", () => {
  test("a round's lock lasts WORKER_LOCK_DURATION_MS, so a dead holder's round is taken over that soon", async () => {
    const ids = await mintReady(2);
    await anvil().rpc("evm_setAutomine", [false]);
    ctx = await testContext(await openDb(), pipelineEnv(services(), { WORKER_LOCK_DURATION_MS: "1500" }));
    worker = await startRevealWorker(ctx);
    await requestReveal(ctx, { trigger: "manual" });
    // The round broadcasts and then watches the unmined transaction: its job is active and locked.
    const active = await waitFor(async () => (await ctx?.queues.reveal.getActive())?.[0], {
      message: "an active reveal round",
    });
    const lockKey = `${ctx.config.QUEUE_PREFIX}:reveal:${active.id}:lock`;
    // Read while held: a lock that lapsed (an event loop blocked past 1.5 s by in-process PGlite under
    // load) is taken again at the next renewal.
    const ttl = await waitFor(
      async () => {
        const left = await ctx?.redis.pttl(lockKey);
        return left !== undefined && left > 0 ? left : undefined;
      },
      { message: "the round's lock held" },
    );
    expect(ttl).toBeLessThanOrEqual(1500);
    await anvil().rpc("evm_setAutomine", [true]);
    await anvil().rpc("evm_mine");
    await waitFor(allRevealed(ids), { message: "tokens revealed" });
  });

  test("a process killed after broadcast, before the receipt: the next one settles it, no second reveal", async () => {
    const ids = await mintReady(5);
    const before = await nonceOf("latest");
    const env = {
      ...pipelineEnv(services(), { REVEAL_STUCK_SECONDS: "3600" }),
      ...dbEnv(),
      WORKER_LOCK_DURATION_MS: "2000",
      REVEAL_FIXTURE_MANUAL: "1",
    };
    await anvil().rpc("evm_setAutomine", [false]);
    await closeDb();
    const child = await spawnWorker(env);
    await waitFor(async () => ((await nonceOf("pending")) > before ? true : undefined), {
      message: "the reveal in the mempool",
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    // Mined while no pipeline runs.
    await anvil().rpc("evm_setAutomine", [true]);
    await anvil().rpc("evm_mine");
    const [left] = await rows();
    expect(left?.status).toBe("pending");
    expect(left?.hashes).toHaveLength(1);
    expect(await statuses(await openDb(), ids)).toEqual(ids.map(() => "revealing"));

    ctx = await testContext(await openDb(), { ...env });
    worker = await startRevealWorker(ctx);
    await waitFor(allRevealed(ids), { message: "tokens settled as revealed", timeoutMs: 45_000 });
    const all = await rows();
    expect(all).toHaveLength(1);
    expect(all[0]?.status).toBe("mined");
    expect(all[0]?.mined_hash).toBe(left?.hashes[0]);
    expect(await nonceOf("latest")).toBe(before + 1);
    const { counts } = await revealedOnChain(anvil().url, contract);
    expect(ids.map((id) => counts.get(id))).toEqual(ids.map(() => 1));
  });

  test("stopping the worker while it waits for a receipt returns at once and leaves the row to the next round", async () => {
    const ids = await mintReady(2);
    await anvil().rpc("evm_setAutomine", [false]);
    ctx = await testContext(await openDb(), pipelineEnv(services(), { REVEAL_STUCK_SECONDS: "3600" }));
    worker = await startRevealWorker(ctx);
    await requestReveal(ctx, { trigger: "manual" });
    await waitFor(async () => ((await rows()).length > 0 ? true : undefined), { message: "the broadcast" });
    await worker.close();
    const [left] = await rows();
    expect(left?.status).toBe("pending");
    expect(await statuses(await openDb(), ids)).toEqual(["revealing", "revealing"]);
    await anvil().rpc("evm_setAutomine", [true]);
    await anvil().rpc("evm_mine");
    worker = await startRevealWorker(ctx);
    await waitFor(allRevealed(ids), { message: "settled by the next worker" });
    const all = await rows();
    expect(all.map((r) => [r.status, r.mined_hash])).toEqual([["mined", left?.hashes[0]]]);
  });

  test("a pending transaction the node dropped while the pipeline was down is re-sent with the same hash", async () => {
    const ids = await mintReady(4);
    const before = await nonceOf("latest");
    ctx = await testContext(await openDb(), pipelineEnv(services()));
    await anvil().rpc("evm_setAutomine", [false]);
    const signed = await storeSignedIntent(ctx, ids, before);
    expect(await broadcast(ctx.chain, signed.raw)).toBe("sent");
    await anvil().rpc("anvil_dropTransaction", [signed.hash]);
    expect(await nonceOf("pending")).toBe(before);
    await anvil().rpc("evm_setAutomine", [true]);

    worker = await startRevealWorker(ctx);
    await waitFor(allRevealed(ids), { message: "re-sent reveal mined" });
    const [row] = await rows();
    expect(row?.hashes).toEqual([signed.hash]);
    expect(row?.mined_hash).toBe(signed.hash);
    expect(await nonceOf("latest")).toBe(before + 1);
  });

  test("a pending row whose nonce another transaction used is marked failed and its tokens revealed anew", async () => {
    const ids = await mintReady(3);
    const before = await nonceOf("latest");
    ctx = await testContext(await openDb(), pipelineEnv(services()));
    // The intent was stored, then the process died before broadcasting; meanwhile the keeper key sent something else.
    await storeSignedIntent(ctx, ids, before);
    const { publicClient, walletFor } = clients();
    const other = await walletFor(anvilAccount(1)).sendTransaction({ to: anvilAccount(9).address, value: 1n });
    await publicClient.waitForTransactionReceipt({ hash: other });
    worker = await startRevealWorker(ctx);
    await waitFor(allRevealed(ids), { message: "tokens revealed by a new transaction", timeoutMs: 45_000 });
    const [lost, fresh] = await rows();
    expect(lost?.status).toBe("failed");
    expect(lost?.error).toMatch(/nonce consumed/);
    expect(lost?.mined_hash).toBeNull();
    expect(fresh?.status).toBe("mined");
    expect(fresh?.nonce).toBe(before + 1);
    expect(fresh?.token_ids).toEqual(ids);
    const { counts } = await revealedOnChain(anvil().url, contract);
    expect(ids.map((id) => counts.get(id))).toEqual([1, 1, 1]);
  });

  test("the database refuses a second pending transaction at the same keeper nonce", async () => {
    const ids = await mintReady(2);
    const d = await openDb();
    const tokens = await intentTokens(ids);
    const intent = {
      chainId: 31337,
      keeper,
      nonce: 77,
      fees: { maxFeePerGas: 2n, maxPriorityFeePerGas: 1n },
      gas: 21_000n,
    };
    await storeIntent(d, { ...intent, tokens: tokens.slice(0, 1), hash: "0x01" });
    await expect(storeIntent(d, { ...intent, tokens: tokens.slice(1), hash: "0x02" })).rejects.toThrow(
      /reveal_transactions_pending_nonce|duplicate key/,
    );
    expect(await statuses(d, ids)).toEqual(["revealing", "uploaded"]);
    expect(await rows()).toHaveLength(1);
  });
});

describe("several pipeline processes", () => {
  const reason = "needs TEST_DATABASE_URL: PGlite is single-process, so three processes need Postgres";
  test.skipIf(!process.env.TEST_DATABASE_URL)(
    `three processes revealing at once send no colliding nonce and reveal every token once (${reason})`,
    async () => {
      const ids = await mintReady(130);
      const before = await nonceOf("latest");
      const env = {
        ...pipelineEnv(services()),
        ...dbEnv(),
        REVEAL_FIXTURE_MANUAL: "1",
        // Transactions of about 45 tokens: 130 make several, which the three processes compete to send.
        REVEAL_GAS_BUDGET: "5000000",
      };
      await Promise.all([spawnWorker(env), spawnWorker(env), spawnWorker(env)]);
      await waitFor(allRevealed(ids), { message: "130 tokens revealed", timeoutMs: 50_000 });
      const all = await rows();
      expect(all.length).toBeGreaterThanOrEqual(3);
      expect(all.map((r) => r.status)).toEqual(all.map(() => "mined"));
      expect(all.map((r) => r.nonce)).toEqual(all.map((_, i) => before + i));
      expect(all.flatMap((r) => r.token_ids).sort()).toEqual([...ids].sort());
      expect(await nonceOf("latest")).toBe(before + all.length);
      const { counts } = await revealedOnChain(anvil().url, contract);
      expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
    },
    90_000,
  );
});
