/**
 * Shared setup of the reveal tests: a pipeline context against the test anvil, Redis and database,
 * ready tokens seeded from real mints, and reads of what the chain revealed.
 */
import { createHash } from "node:crypto";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { type Address, type Hash, parseEventLogs } from "viem";
import { GliskNFTAbi } from "../../abis/GliskNFTAbi";
import { createLogger, type Logger } from "../../common/logger";
import { parseConfig } from "../../pipeline/config";
import { type Context, createContext } from "../../pipeline/context";
import type { Db } from "../../pipeline/db/database";
import { anvilAccount, anvilKey, localClients, type MintReturnType } from "../../scripts/lib/glisk";

/** A real CIDv0 string (base58 sha2-256 multihash) derived from `seed`. */
export function cidV0(seed: string): string {
  const digest = createHash("sha256").update(seed).digest();
  return CID.createV0(Digest.create(0x12, digest)).toString();
}

export type HarnessServices = { rpcUrl: string; redisUrl: string; contract: Address; startBlock: number };

/** Pipeline env for the test services; `overrides` win. */
export function pipelineEnv(s: HarnessServices, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: "test",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    GLISK_NETWORK: "anvil",
    PONDER_RPC_URL_31337: s.rpcUrl,
    GLISK_CONTRACT_ADDRESS: s.contract,
    GLISK_START_BLOCK: String(s.startBlock),
    REDIS_URL: s.redisUrl,
    QUEUE_PREFIX: `t${Math.random().toString(36).slice(2, 10)}`,
    KEEPER_PRIVATE_KEY: anvilKey(1),
    REVEAL_CONFIRMATIONS: "2",
    BATCH_REVEAL_WAIT_SECONDS: "3600",
    REVEAL_RECHECK_SECONDS: "1",
    WORKER_LOCK_DURATION_MS: "5000",
    ...overrides,
  };
}

/** A context sharing the test database (closing it leaves the database open). */
export async function testContext(db: Db, env: Record<string, string>, logger?: Logger): Promise<Context> {
  const config = parseConfig(env);
  return createContext(config, { db, logger: logger ?? createLogger({ level: config.LOG_LEVEL }) });
}

/** The columns of a seeded row that no failure or reveal has touched. */
const NOT_REVEALED = {
  generate_error: null,
  pin_error: null,
  reveal_error: null,
  reveal_tx_id: null,
  reveal_tx_hash: null,
  reveal_block_number: null,
} as const;

/** Records every token of `minted` as ready (uploaded, with a metadata CID), as the pin stage leaves it. */
export async function seedReady(
  db: Db,
  p: { minted: MintReturnType; author: Address; minter?: Address; chainId?: number; readyAt?: Date },
): Promise<string[]> {
  const ids = p.minted.tokenIds.map(String);
  const now = p.readyAt ?? new Date();
  await db
    .insertInto("tokens")
    .values(
      ids.map((id) => ({
        chain_id: p.chainId ?? 31337,
        token_id: id,
        mint_tx_hash: p.minted.txHash,
        mint_block_number: Number(p.minted.blockNumber),
        minter: (p.minter ?? anvilAccount(2).address).toLowerCase(),
        author: p.author.toLowerCase(),
        status: "uploaded" as const,
        status_reason: null,
        prompt_hash: null,
        image_provider: "local",
        prediction_id: null,
        prompt_kind: "primary",
        image_cid: cidV0(`image-${id}-${p.minted.txHash}`),
        image_mime: "image/png",
        image_size: 1000,
        metadata_cid: cidV0(`metadata-${id}-${p.minted.txHash}`),
        ...NOT_REVEALED,
        ready_at: now,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
  return ids;
}

/**
 * A token still on its way to reveal (`generating`, under an id far from the minted ones), so ready
 * tokens wait for a fuller batch as they do while a surge is being generated.
 */
export async function seedUpstream(db: Db, p: { tokenId?: string; chainId?: number } = {}): Promise<string> {
  const tokenId = p.tokenId ?? String(1_000_000 + Math.floor(Math.random() * 1_000_000));
  await db
    .insertInto("tokens")
    .values({
      chain_id: p.chainId ?? 31337,
      token_id: tokenId,
      mint_tx_hash: `0x${"ab".repeat(32)}`,
      mint_block_number: 1,
      minter: anvilAccount(2).address.toLowerCase(),
      author: anvilAccount(3).address.toLowerCase(),
      status: "generating",
      status_reason: null,
      prompt_hash: null,
      image_provider: null,
      prediction_id: null,
      prompt_kind: null,
      image_cid: null,
      image_mime: null,
      image_size: null,
      metadata_cid: null,
      ...NOT_REVEALED,
      ready_at: null,
    })
    .execute();
  return tokenId;
}

/** How many times the chain emitted TokensRevealed for each id, and in which transactions. */
export async function revealedOnChain(rpcUrl: string, contract: Address) {
  const { publicClient } = localClients(rpcUrl);
  const logs = await publicClient.getLogs({ address: contract, fromBlock: 0n, toBlock: "latest" });
  const events = parseEventLogs({ abi: GliskNFTAbi, eventName: "TokensRevealed", logs });
  const counts = new Map<string, number>();
  const txs = new Map<Hash, string[]>();
  for (const e of events) {
    const ids = e.args.tokenIds.map(String);
    txs.set(e.transactionHash, ids);
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return { counts, txs };
}

/** Deletes every token and reveal row so each test starts from an empty pipeline schema. */
export async function resetTables(db: Db): Promise<void> {
  await db.deleteFrom("token_events").execute();
  await db.deleteFrom("reveal_transactions").execute();
  await db.deleteFrom("tokens").execute();
}

/** Statuses of the given ids, in order. */
export async function statuses(db: Db, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom("tokens")
    .select(["token_id", "status"])
    .where("token_id", "in", [...ids])
    .execute();
  const byId = new Map(rows.map((r) => [String(r.token_id), r.status]));
  return ids.map((id) => byId.get(id) ?? "missing");
}
