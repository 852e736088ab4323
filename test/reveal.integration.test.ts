import { pino } from "pino";
import type { Address } from "viem";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { GliskNFTAbi } from "../abis/GliskNFTAbi";
import { generateJobId } from "../common/jobs";
import type { Context } from "../pipeline/context";
import { createDatabase, type Db } from "../pipeline/db/database";
import { getToken } from "../pipeline/db/token-queries";
import { keeperStatus } from "../pipeline/reveal/keeper";
import { requestReveal } from "../pipeline/reveal/request";
import { isolateFaults, simulateReveal } from "../pipeline/reveal/simulate";
import { type RevealWorker, startRevealWorker } from "../pipeline/workers";
import { anvilAccount, anvilKey, deployGlisk, grantKeeper, localClients, mint, waitFor } from "../scripts/lib/glisk";
import {
  cidV0,
  pipelineEnv,
  resetTables,
  revealedOnChain,
  seedReady,
  seedUpstream,
  statuses,
  testContext,
} from "./helpers/reveal";
import { useAnvil, useDatabase, useRedis } from "./helpers/services";

const anvil = useAnvil();
const redis = useRedis();
const database = useDatabase();
const authorA = anvilAccount(3).address;
const authorB = anvilAccount(4).address;

let db: Db;
let contract: Address;
let startBlock: number;
let ctx: Context | undefined;
let worker: RevealWorker | undefined;

const clients = () => localClients(anvil().url);
const services = () => ({ rpcUrl: anvil().url, redisUrl: redis().url, contract, startBlock });

beforeAll(async () => {
  const test = database();
  db = await createDatabase(test.kind === "postgres" ? { url: test.url } : { dataDir: test.dir });
  ({ address: contract, startBlock } = await deployGlisk({ rpcUrl: anvil().url, keeper: anvilAccount(1).address }));
});
afterAll(async () => db?.destroy());
beforeEach(async () => resetTables(db));
afterEach(async () => {
  await worker?.close();
  await ctx?.close();
  worker = undefined;
  ctx = undefined;
});

/** Mints `count` tokens for `author` (50 per transaction) and buries them under two more blocks. */
async function mintReady(count: number, author: Address = authorA): Promise<string[]> {
  const ids: string[] = [];
  for (let left = count; left > 0; left -= 50) {
    const minted = await mint({ rpcUrl: anvil().url, address: contract, author, quantity: Math.min(50, left) });
    ids.push(...(await seedReady(db, { minted, author })));
  }
  await anvil().rpc("anvil_mine", ["0x2"]);
  return ids;
}

async function start(overrides: Record<string, string> = {}) {
  ctx = await testContext(db, pipelineEnv(services(), overrides));
  worker = await startRevealWorker(ctx);
  return ctx;
}

const revealTxs = () => db.selectFrom("reveal_transactions").selectAll().orderBy("nonce").execute();
const keeperNonce = (address: Address = anvilAccount(1).address) =>
  clients().publicClient.getTransactionCount({ address, blockTag: "latest" });
/** Delayed rounds the reveal stage scheduled itself (timer, depth, fees), not the sweep scheduler's. */
const scheduledRounds = async (c: Context) =>
  (await c.queues.reveal.getDelayed()).map((j) => j.id).filter((id) => id?.startsWith("reveal-"));
const allRevealed = (ids: string[]) => async () =>
  (await statuses(db, ids)).every((s) => s === "revealed") ? true : undefined;

describe("batching", () => {
  test("50 ready tokens go out in one transaction as soon as they are ready", async () => {
    const ids = await mintReady(50);
    const c = await start();
    await requestReveal(c, { trigger: "ready" });
    await waitFor(allRevealed(ids), { message: "50 tokens revealed" });
    const txs = await revealTxs();
    expect(txs).toHaveLength(1);
    expect(txs[0]?.status).toBe("mined");
    expect(txs[0]?.token_ids).toEqual(ids);
    expect(txs[0]?.uris[0]).toBe(
      `ipfs://${cidV0(`metadata-${ids[0]}-${(await getToken(db, { chainId: 31337, tokenId: ids[0] ?? "" }))?.mint_tx_hash}`)}`,
    );
    expect(Number(txs[0]?.gas_used)).toBeGreaterThan(0);
    expect(BigInt(txs[0]?.effective_gas_price ?? "0")).toBeGreaterThan(0n);
    const { counts, txs: onChain } = await revealedOnChain(anvil().url, contract);
    expect(onChain.get(txs[0]?.mined_hash as `0x${string}`)).toEqual(ids);
    expect(ids.every((id) => counts.get(id) === 1)).toBe(true);
    const token = await getToken(db, { chainId: 31337, tokenId: ids[7] ?? "" });
    expect(token?.reveal_tx_hash).toBe(txs[0]?.mined_hash);
    expect(token?.reveal_block_number).toBe(txs[0]?.block_number);
    expect(token?.reveal_tx_id).toBe(txs[0]?.id);
  });

  test("a backlog goes out in transactions as full as REVEAL_GAS_BUDGET allows, without waiting between them", async () => {
    const budget = 5_000_000;
    const ids = await mintReady(120);
    const c = await start({ REVEAL_GAS_BUDGET: String(budget) });
    await requestReveal(c, { trigger: "ready" });
    await waitFor(allRevealed(ids), { message: "120 tokens revealed" });
    const txs = await revealTxs();
    expect(txs.flatMap((t) => t.token_ids)).toEqual(ids);
    expect(new Set(txs.map((t) => t.nonce)).size).toBe(txs.length);
    expect(txs.length).toBeGreaterThan(1);
    for (const tx of txs) expect(Number(tx.gas_limit)).toBeLessThanOrEqual(budget);
    // Every transaction but the last is full: two more tokens would not have fit under the budget.
    for (const tx of txs.slice(0, -1)) {
      const n = tx.token_ids.length;
      expect(((n + 2) * Number(tx.gas_used) * 1.2) / n).toBeGreaterThan(budget);
    }
    expect(await scheduledRounds(c)).toEqual([]);
    const { counts } = await revealedOnChain(anvil().url, contract);
    expect(ids.every((id) => counts.get(id) === 1)).toBe(true);
  });

  test("with nothing on its way to reveal, a ready token goes at once: no batch wait", async () => {
    const ids = await mintReady(1);
    const c = await start({ BATCH_REVEAL_WAIT_SECONDS: "3600" });
    await requestReveal(c, { trigger: "ready" });
    await waitFor(allRevealed(ids), { message: "the one token revealed" });
    expect((await revealTxs()).map((t) => t.token_ids)).toEqual([ids]);
    // A batch wait would have left a `timer` round delayed for the hour.
    expect(await scheduledRounds(c)).toEqual([]);
  });

  test("while more tokens are on their way, fewer than a transaction wait for the oldest token's BATCH_REVEAL_WAIT_SECONDS", async () => {
    await seedUpstream(db);
    const ids = await mintReady(5);
    const c = await start({ BATCH_REVEAL_WAIT_SECONDS: "3" });
    await requestReveal(c, { trigger: "ready" });
    const timer = await waitFor(
      async () => (await c.queues.reveal.getDelayed()).find((j) => j.id?.startsWith("reveal-timer-")),
      { message: "a delayed timer round" },
    );
    expect(await statuses(db, ids)).toEqual(ids.map(() => "uploaded"));
    expect(await revealTxs()).toHaveLength(0);
    expect(timer.opts.delay).toBeGreaterThan(0);
    await waitFor(allRevealed(ids), { message: "5 tokens revealed by the timer" });
    expect((await revealTxs()).map((t) => t.token_ids)).toEqual([ids]);
  });

  test("the last token on its way ends the wait: the next round sends what is ready, not the timer", async () => {
    const upstream = await seedUpstream(db);
    const ids = await mintReady(4);
    const c = await start({ BATCH_REVEAL_WAIT_SECONDS: "3600" });
    await requestReveal(c, { trigger: "ready" });
    await waitFor(async () => (await c.queues.reveal.getDelayed()).find((j) => j.id?.startsWith("reveal-timer-")), {
      message: "the round to wait for the token on its way",
    });
    expect(await revealTxs()).toHaveLength(0);
    // The token on its way fails for good: nothing is upstream any more.
    await db.updateTable("tokens").set({ status: "failed" }).where("token_id", "=", upstream).execute();
    await requestReveal(c, { trigger: "ready" });
    await waitFor(allRevealed(ids), { message: "the ready tokens revealed" });
    expect((await revealTxs()).map((t) => t.token_ids)).toEqual([ids]);
  });

  test("the periodic sweep round reveals due tokens nobody asked a round for", async () => {
    ctx = await testContext(db, pipelineEnv(services(), { BATCH_REVEAL_WAIT_SECONDS: "0" }));
    worker = await startRevealWorker(ctx, { sweepMs: 1_000 });
    const c = ctx;
    await waitFor(async () => ((await c.queues.reveal.getCompletedCount()) > 0 ? true : undefined));
    const ids = await mintReady(2);
    await waitFor(allRevealed(ids), { message: "revealed by a sweep round" });
    expect((await revealTxs()).map((t) => t.token_ids)).toEqual([ids]);
  });

  test("a manual trigger with token ids reveals those at once", async () => {
    await seedUpstream(db);
    const ids = await mintReady(6);
    const c = await start({ BATCH_REVEAL_WAIT_SECONDS: "3600" });
    await requestReveal(c, { trigger: "manual", tokenIds: ids.slice(0, 2) });
    await waitFor(allRevealed(ids.slice(0, 2)), { message: "2 tokens revealed" });
    expect(await statuses(db, ids.slice(2))).toEqual(["uploaded", "uploaded", "uploaded", "uploaded"]);
    expect((await revealTxs()).map((t) => t.token_ids)).toEqual([ids.slice(0, 2)]);
  });
});

describe("pre-flight", () => {
  test("an id revealed already is recorded without a transaction and the batch does not revert", async () => {
    const ids = await mintReady(10);
    const pre = ids[4] ?? "";
    const { publicClient, walletFor } = clients();
    const hash = await walletFor(anvilAccount(0)).writeContract({
      address: contract,
      abi: GliskNFTAbi,
      functionName: "revealTokens",
      args: [[BigInt(pre)], ["ipfs://revealed-by-admin"]],
    });
    await publicClient.waitForTransactionReceipt({ hash });
    const c = await start();
    await requestReveal(c, { trigger: "manual" });
    await waitFor(allRevealed(ids), { message: "10 tokens revealed" });
    const txs = await revealTxs();
    expect(txs).toHaveLength(1);
    expect(txs[0]?.status).toBe("mined");
    expect(txs[0]?.token_ids).toEqual(ids.filter((id) => id !== pre));
    const token = await getToken(db, { chainId: 31337, tokenId: pre });
    expect(token?.reveal_tx_id).toBeNull();
    expect(token?.status_reason).toBe("already revealed on-chain");
    const { counts } = await revealedOnChain(anvil().url, contract);
    expect(counts.get(pre)).toBe(1);
    expect(
      await publicClient.readContract({
        address: contract,
        abi: GliskNFTAbi,
        functionName: "tokenURI",
        args: [BigInt(pre)],
      }),
    ).toBe("ipfs://revealed-by-admin");
  });

  test("a mint not yet REVEAL_CONFIRMATIONS deep waits, then reveals", async () => {
    const minted = await mint({ rpcUrl: anvil().url, address: contract, author: authorA, quantity: 3 });
    const ids = await seedReady(db, { minted, author: authorA });
    const c = await start({ REVEAL_CONFIRMATIONS: "4" });
    await requestReveal(c, { trigger: "manual" });
    await waitFor(async () => (await c.queues.reveal.getDelayed()).find((j) => j.id?.startsWith("reveal-depth-")), {
      message: "a depth re-check",
    });
    expect(await statuses(db, ids)).toEqual(["uploaded", "uploaded", "uploaded"]);
    expect(await revealTxs()).toHaveLength(0);
    // No new request: the scheduled re-check alone must reveal them once they are deep enough.
    await anvil().rpc("anvil_mine", ["0x3"]);
    await waitFor(allRevealed(ids), { message: "3 tokens revealed once deep" });
  });

  test("a mint a block short of deep is waited for within the round and revealed at that block, no recheck", async () => {
    const minted = await mint({ rpcUrl: anvil().url, address: contract, author: authorA, quantity: 3 });
    const ids = await seedReady(db, { minted, author: authorA });
    const lines: string[] = [];
    const logger = pino({ level: "debug" }, { write: (line: string) => void lines.push(line) });
    const env = pipelineEnv(services(), { REVEAL_CONFIRMATIONS: "3", REVEAL_RECHECK_SECONDS: "120" });
    ctx = await testContext(db, env, logger);
    worker = await startRevealWorker(ctx);
    await requestReveal(ctx, { trigger: "ready" });
    await waitFor(() => lines.some((l) => l.includes("waiting for the block that makes ready mints deep")), {
      message: "the round to wait for the block",
    });
    expect(await statuses(db, ids)).toEqual(["uploaded", "uploaded", "uploaded"]);
    expect(await revealTxs()).toHaveLength(0);
    // Anvil mines only on demand here: the two blocks that make the mint 3 deep.
    await anvil().rpc("anvil_mine", ["0x2"]);
    await waitFor(allRevealed(ids), { message: "3 tokens revealed within the same round" });
    const [tx] = await revealTxs();
    expect(tx?.token_ids).toEqual(ids);
    expect(Number(tx?.block_number) - Number(minted.blockNumber) + 1).toBeGreaterThanOrEqual(3);
    expect(await scheduledRounds(ctx)).toEqual([]);
  });

  test("a manual reveal of a mint not deep enough rechecks only the requested ids", async () => {
    // Ready and deep enough, but more tokens are on their way and their wait (3600 s) has not run out.
    await seedUpstream(db);
    const others = await mintReady(4);
    const minted = await mint({ rpcUrl: anvil().url, address: contract, author: authorA, quantity: 3 });
    const requested = await seedReady(db, { minted, author: authorA });
    const c = await start({ REVEAL_CONFIRMATIONS: "4" });
    await requestReveal(c, { trigger: "manual", tokenIds: requested });
    await waitFor(async () => (await c.queues.reveal.getDelayed()).find((j) => j.id?.startsWith("reveal-depth-")), {
      message: "a depth re-check",
    });
    expect(await statuses(db, requested)).toEqual(["uploaded", "uploaded", "uploaded"]);
    expect(await revealTxs()).toHaveLength(0);
    await anvil().rpc("anvil_mine", ["0x3"]);
    await waitFor(allRevealed(requested), { message: "the requested tokens revealed once deep" });
    expect((await revealTxs()).map((t) => t.token_ids)).toEqual([requested]);
    expect(await statuses(db, others)).toEqual(others.map(() => "uploaded"));
  });

  test("a reorg that gives the ids to another author's mint sends them back to generation, not on-chain", async () => {
    const snapshot = await anvil().rpc<`0x${string}`>("evm_snapshot");
    const stale = await mint({ rpcUrl: anvil().url, address: contract, author: authorA, quantity: 3 });
    const ids = await seedReady(db, { minted: stale, author: authorA });
    await anvil().rpc("evm_revert", [snapshot]);
    const canonical = await mint({ rpcUrl: anvil().url, address: contract, author: authorB, quantity: 3 });
    expect(canonical.tokenIds.map(String)).toEqual(ids);
    expect(canonical.txHash).not.toBe(stale.txHash);
    await anvil().rpc("anvil_mine", ["0x3"]);
    const c = await start();
    await requestReveal(c, { trigger: "manual" });
    await waitFor(async () => ((await statuses(db, ids)).every((s) => s === "detected") ? true : undefined), {
      message: "tokens back to detected",
    });
    for (const id of ids) {
      const token = await getToken(db, { chainId: 31337, tokenId: id });
      expect(token?.mint_tx_hash).toBe(canonical.txHash);
      expect(token?.author).toBe(authorB.toLowerCase());
      expect(token?.metadata_cid).toBeNull();
      const job = await c.queues.generate.getJob(
        generateJobId({ chainId: 31337, tokenId: id, mintTxHash: canonical.txHash }),
      );
      expect(job?.data.promptAuthor).toBe(authorB);
      expect(job?.data.mintBlockNumber).toBe(String(canonical.blockNumber));
    }
    await waitFor(async () => ((await c.queues.reveal.getActiveCount()) === 0 ? true : undefined));
    expect(await revealTxs()).toHaveLength(0);
    const revealed = await clients().publicClient.readContract({
      address: contract,
      abi: GliskNFTAbi,
      functionName: "isRevealed",
      args: [BigInt(ids[0] ?? "0")],
    });
    expect(revealed).toBe(false);
  });

  test("a reveal that a reorg takes back is re-sent, so the token is revealed on the canonical chain once", async () => {
    const ids = await mintReady(3);
    const snapshot = await anvil().rpc<`0x${string}`>("evm_snapshot");
    const c = await start();
    await requestReveal(c, { trigger: "manual" });
    await waitFor(allRevealed(ids), { message: "first reveal" });
    const [first] = await revealTxs();
    await anvil().rpc("evm_revert", [snapshot]);
    await anvil().rpc("anvil_mine", ["0x2"]);
    const isRevealed = (id: string) =>
      clients().publicClient.readContract({
        address: contract,
        abi: GliskNFTAbi,
        functionName: "isRevealed",
        args: [BigInt(id)],
      });
    expect(await isRevealed(ids[0] ?? "")).toBe(false);
    await requestReveal(c, { trigger: "ready" });
    await waitFor(async () => ((await isRevealed(ids[2] ?? "")) ? true : undefined), { message: "re-sent reveal" });
    await waitFor(allRevealed(ids));
    const txs = await revealTxs();
    expect(txs).toHaveLength(1);
    expect(txs[0]?.status).toBe("mined");
    expect(txs[0]?.hashes).toEqual(first?.hashes);
    const history = await db
      .selectFrom("token_events")
      .select(["from_status", "to_status"])
      .where("token_id", "=", ids[0] ?? "")
      .orderBy("id")
      .execute();
    expect(history.map((e) => e.to_status)).toEqual(["revealing", "revealed", "revealing", "revealed"]);
    const { counts } = await revealedOnChain(anvil().url, contract);
    expect(ids.map((id) => counts.get(id))).toEqual([1, 1, 1]);
  });

  test("a batch that reverts in simulation is split down to the token at fault", async () => {
    const ids = await mintReady(9);
    const { publicClient, walletFor } = clients();
    const bad = ids[6] ?? "";
    const hash = await walletFor(anvilAccount(0)).writeContract({
      address: contract,
      abi: GliskNFTAbi,
      functionName: "revealTokens",
      args: [[BigInt(bad)], ["ipfs://x"]],
    });
    await publicClient.waitForTransactionReceipt({ hash });
    const call = { chain: publicClient, contract, keeper: anvilAccount(1).address };
    const items = ids.map((tokenId) => ({ tokenId, uri: `ipfs://${cidV0(tokenId)}` }));
    let simulations = 0;
    const simulate = (part: readonly { tokenId: string; uri: string }[]) => {
      simulations += 1;
      return simulateReveal(call, part);
    };
    const result = await isolateFaults({ simulate, items });
    expect(result.faults.map((f) => [f.item.tokenId, f.revert.name, f.revert.args])).toEqual([
      [bad, "AlreadyRevealed", [BigInt(bad)]],
    ]);
    expect(result.ok.map((i) => i.tokenId).sort()).toEqual(ids.filter((id) => id !== bad).sort());
    expect(simulations).toBeLessThan(ids.length);
    expect(await simulateReveal(call, result.ok)).toBeUndefined();
  });
});

describe("fees", () => {
  test("a max fee above REVEAL_MAX_FEE_GWEI waits with tokens ready, then reveals once fees drop", async () => {
    const ids = await mintReady(4);
    await anvil().rpc("anvil_setNextBlockBaseFeePerGas", ["0x2540be400"]); // 10 gwei
    await anvil().rpc("evm_mine");
    const c = await start({ REVEAL_MAX_FEE_GWEI: "5" });
    await requestReveal(c, { trigger: "manual" });
    await waitFor(async () => (await c.queues.reveal.getDelayed()).find((j) => j.id?.startsWith("reveal-fees-")), {
      message: "a fee re-check",
    });
    expect(await statuses(db, ids)).toEqual(ids.map(() => "uploaded"));
    expect(await revealTxs()).toHaveLength(0);
    const before = await keeperNonce();
    await anvil().rpc("anvil_setNextBlockBaseFeePerGas", ["0x3b9aca0"]); // 0.0625 gwei
    await anvil().rpc("evm_mine");
    await waitFor(allRevealed(ids), { message: "tokens revealed after fees dropped" });
    const txs = await revealTxs();
    expect(txs).toHaveLength(1);
    expect(BigInt(txs[0]?.max_fee_per_gas ?? "0")).toBeLessThanOrEqual(5_000_000_000n);
    expect(await keeperNonce()).toBe(before + 1);
  });
  test("a manual reveal held back by the fee cap rechecks only the requested ids", async () => {
    await seedUpstream(db);
    const ids = await mintReady(5);
    const requested = ids.slice(0, 2);
    await anvil().rpc("anvil_setNextBlockBaseFeePerGas", ["0x2540be400"]); // 10 gwei
    await anvil().rpc("evm_mine");
    const c = await start({ REVEAL_MAX_FEE_GWEI: "5" });
    await requestReveal(c, { trigger: "manual", tokenIds: requested });
    await waitFor(async () => (await c.queues.reveal.getDelayed()).find((j) => j.id?.startsWith("reveal-fees-")), {
      message: "a fee re-check",
    });
    expect(await revealTxs()).toHaveLength(0);
    await anvil().rpc("anvil_setNextBlockBaseFeePerGas", ["0x3b9aca0"]); // 0.0625 gwei
    await anvil().rpc("evm_mine");
    await waitFor(allRevealed(requested), { message: "the requested tokens revealed after fees dropped" });
    expect((await revealTxs()).map((t) => t.token_ids)).toEqual([requested]);
    expect(await statuses(db, ids.slice(2))).toEqual(["uploaded", "uploaded", "uploaded"]);
  });
});

describe("keeper", () => {
  test("the keeper key appears in no log line, job data or keeper status", async () => {
    const ids = await mintReady(3);
    const lines: string[] = [];
    const logger = pino({ level: "trace" }, { write: (line: string) => void lines.push(line) });
    ctx = await testContext(db, pipelineEnv(services()), logger);
    worker = await startRevealWorker(ctx);
    await requestReveal(ctx, { trigger: "manual", tokenIds: ids });
    await waitFor(allRevealed(ids), { message: "tokens revealed" });
    const key = anvilKey(1).slice(2).toLowerCase();
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.join("\n").toLowerCase()).not.toContain(key);
    const jobs = await ctx.queues.reveal.getJobs(["completed", "waiting", "delayed", "failed"]);
    expect(jobs.length).toBeGreaterThan(0);
    expect(JSON.stringify(jobs.map((j) => [j.data, j.returnvalue])).toLowerCase()).not.toContain(key);
    const status = await keeperStatus(ctx);
    expect(status.address).toBe(anvilAccount(1).address);
    expect(JSON.stringify(status).toLowerCase()).not.toContain(key);
  });

  test("a keeper without KEEPER_ROLE does not start the worker and says why", async () => {
    await mintReady(2);
    const c = await start({ KEEPER_PRIVATE_KEY: anvilKey(5) });
    const status = await keeperStatus(c);
    expect(status).toMatchObject({
      configured: true,
      address: anvilAccount(5).address,
      hasRole: false,
      running: false,
    });
    expect(status.stoppedReason).toMatch(/KEEPER_ROLE/);
    expect(JSON.stringify(status)).not.toContain(anvilKey(5).slice(2));
    await requestReveal(c, { trigger: "manual" });
    expect(await c.queues.reveal.getWaitingCount()).toBeGreaterThan(0);
    expect(await keeperNonce(anvilAccount(5).address)).toBe(0);
  });

  test("losing the role while running stops the worker on the first round, with no retry loop", async () => {
    const keeper = anvilAccount(6);
    await grantKeeper({ rpcUrl: anvil().url, address: contract, keeper: keeper.address });
    const c = await start({ KEEPER_PRIVATE_KEY: anvilKey(6) });
    await waitFor(async () => ((await c.queues.reveal.getCompletedCount()) > 0 ? true : undefined), {
      message: "the recover round",
    });
    const { publicClient, walletFor } = clients();
    const role = await publicClient.readContract({ address: contract, abi: GliskNFTAbi, functionName: "KEEPER_ROLE" });
    const hash = await walletFor(anvilAccount(0)).writeContract({
      address: contract,
      abi: GliskNFTAbi,
      functionName: "revokeRole",
      args: [role, keeper.address],
    });
    await publicClient.waitForTransactionReceipt({ hash });
    const ids = await mintReady(3);
    await requestReveal(c, { trigger: "manual" });
    const [failed] = await waitFor(async () => {
      const jobs = await c.queues.reveal.getFailed();
      return jobs.length > 0 ? jobs : undefined;
    });
    expect(failed?.failedReason).toMatch(/not allowed to call revealTokens.*AccessControlUnauthorizedAccount/);
    expect(failed?.attemptsMade).toBe(1);
    await waitFor(async () => ((await keeperStatus(c)).running === false ? true : undefined));
    expect((await keeperStatus(c)).stoppedReason).toMatch(/Grant KEEPER_ROLE/);
    await requestReveal(c, { trigger: "manual" });
    expect(await c.queues.reveal.getWaitingCount()).toBe(1);
    expect(await c.queues.reveal.getFailedCount()).toBe(1);
    expect(await statuses(db, ids)).toEqual(["uploaded", "uploaded", "uploaded"]);
    expect(await keeperNonce(keeper.address)).toBe(0);
  });
});
