/**
 * `npm run bench:reveal`: reveal throughput of the real reveal worker on anvil with 1 s blocks.
 * Mints 1,000 tokens, records them ready (as the pin stage leaves them), starts the reveal worker
 * against real Redis and an embedded PGlite database, asks for a round and times it until every
 * token is revealed. Prints tokens/s, transactions, and gas per revealed token, for each gas budget
 * per transaction: 5,600,000 holds 50 tokens (the fixed batch size before gas budgets), 16,000,000 is
 * REVEAL_GAS_BUDGET's default. BENCH_REVEAL_TOKENS (default 1000) and BENCH_REVEAL_BUDGETS (default
 * "5600000,16000000") tune it.
 */

import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { parseConfig } from "../pipeline/config";
import { createContext } from "../pipeline/context";
import { createDatabase, type Db } from "../pipeline/db/database";
import { countByStatus, revealSums } from "../pipeline/db/stats";
import { countStatuses } from "../pipeline/db/token-queries";
import { recordDetected, transition } from "../pipeline/db/tokens";
import { requestReveal } from "../pipeline/reveal/request";
import { startRevealWorker } from "../pipeline/workers";
import { anvilAccount, anvilKey, deployGlisk, type MintReturnType, mint, waitFor } from "../scripts/lib/glisk";
import { startAnvil, startRedis } from "../scripts/lib/processes";

const TOKENS = Number(process.env.BENCH_REVEAL_TOKENS ?? 1_000);
const BUDGETS = (process.env.BENCH_REVEAL_BUDGETS ?? "5600000,16000000").split(",").map(Number);
const author = anvilAccount(3).address;

/** Mints `count` tokens in transactions of 50, eight minters in parallel (anvil accounts 2 to 9). */
async function mintAll(rpcUrl: string, address: `0x${string}`, count: number): Promise<MintReturnType[]> {
  const sizes = Array.from({ length: Math.ceil(count / 50) }, (_, i) => Math.min(50, count - i * 50));
  const lanes = Array.from({ length: 8 }, (_, lane) => sizes.filter((_, i) => i % 8 === lane));
  const results = await Promise.all(
    lanes.map(async (lane, i) => {
      const out: MintReturnType[] = [];
      for (const quantity of lane) {
        out.push(await mint({ rpcUrl, address, author, quantity, minter: anvilAccount(2 + i) }));
      }
      return out;
    }),
  );
  return results.flat();
}

/** A CIDv0 for `seed`, like the pin stage records for metadata. */
const cidV0 = (seed: string) =>
  CID.createV0(Digest.create(0x12, createHash("sha256").update(seed).digest())).toString();

/** Records the minted tokens as the pin stage leaves them: detected, then ready with their CIDs. */
async function recordReady(db: Db, minted: MintReturnType, minter: string): Promise<void> {
  for (const id of minted.tokenIds.map(String)) {
    const key = { chainId: 31337, tokenId: id, mintTxHash: minted.txHash };
    const mintBlockNumber = Number(minted.blockNumber);
    await recordDetected(db, { ...key, mintBlockNumber, minter, author });
    await transition(db, {
      ...key,
      from: ["detected"],
      to: "uploaded",
      stage: "bench",
      set: {
        image_cid: cidV0(`image-${id}`),
        image_mime: "image/png",
        metadata_cid: cidV0(`metadata-${id}`),
        prompt_kind: "primary",
        ready_at: new Date(),
      },
    });
  }
}

async function run(budget: number, anvilUrl: string, redisUrl: string) {
  const dir = mkdtempSync(path.join(tmpdir(), "glisk-bench-reveal-"));
  const db = await createDatabase({ dataDir: dir });
  try {
    const { address, startBlock } = await deployGlisk({ rpcUrl: anvilUrl, keeper: anvilAccount(1).address });
    const minted = await mintAll(anvilUrl, address, TOKENS);
    for (const m of minted) await recordReady(db, m, anvilAccount(2).address);
    const config = parseConfig({
      LOG_LEVEL: "warn",
      GLISK_NETWORK: "anvil",
      PONDER_RPC_URL_31337: anvilUrl,
      GLISK_CONTRACT_ADDRESS: address,
      GLISK_START_BLOCK: String(startBlock),
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: `bench${budget}${Date.now()}`,
      KEEPER_PRIVATE_KEY: anvilKey(1),
      REVEAL_CONFIRMATIONS: "1",
      REVEAL_GAS_BUDGET: String(budget),
      BATCH_REVEAL_WAIT_SECONDS: "5",
    });
    const ctx = await createContext(config, { db });
    const started = performance.now();
    const worker = await startRevealWorker(ctx);
    await requestReveal(ctx, { trigger: "ready" });
    await waitFor(
      async () =>
        (await countStatuses(db, { chainId: 31337, statuses: ["revealed"] })).revealed === TOKENS ? true : undefined,
      { timeoutMs: 15 * 60_000, intervalMs: 50, message: `${TOKENS} tokens revealed` },
    );
    const seconds = (performance.now() - started) / 1000;
    await worker.close();
    await ctx.close();
    const mined = (await countByStatus(db, "reveal_transactions")).find((r) => r.status === "mined")?.count ?? 0;
    const sums = await revealSums(db);
    return {
      gasBudget: budget,
      tokens: TOKENS,
      seconds: Number(seconds.toFixed(1)),
      tokensPerSecond: Number((TOKENS / seconds).toFixed(1)),
      transactions: mined,
      tokensPerTx: Math.round(TOKENS / mined),
      gasPerToken: Math.round(sums.gasPerToken),
      gasPerTx: Math.round(sums.gasUsed / mined),
    };
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

const anvil = await startAnvil({ blockTime: 1 });
const redis = await startRedis();
try {
  const rows = [];
  for (const budget of BUDGETS) rows.push(await run(budget, anvil.url, redis.url));
  console.log(`reveal throughput on anvil with 1 s blocks (${TOKENS} ready tokens, CIDv0 metadata URIs)`);
  console.table(rows);
} finally {
  await redis.stop();
  await anvil.stop();
}
