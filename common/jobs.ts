/**
 * The stage graph on one screen, shared by the indexer (producer of `generate`) and the pipeline.
 * The indexer enqueues `generate` for every minted token; each stage enqueues the next on success:
 *
 *   generate (image from the author's prompt) ──► pin (image + metadata to IPFS; token ready)
 *        ──► reveal (one round at a time across replicas; a revealTokens tx carries what fits REVEAL_GAS_BUDGET)
 *
 * Two job schedulers (one per deployment, whichever replica takes each job) keep it moving when a
 * request is lost: `reveal-sweep` asks for a reveal round every minute, `stage-recovery` runs a
 * `recover` job every RECOVER_INTERVAL_SECONDS that re-enqueues unfinished work from the database.
 *
 * Job ids are deterministic so replays of the same fact never create a second job (invariant 2).
 * BullMQ ids may not contain ":" nor be all digits.
 */
import type { DefaultJobOptions } from "bullmq";
import { getAddress } from "viem";

export const QUEUE = { generate: "generate", pin: "pin", reveal: "reveal", recover: "recover" } as const;

/** BullMQ job schedulers: `reveal-sweep` on the reveal queue, `stage-recovery` on the recover queue. */
export const SCHEDULER = { revealSweep: "reveal-sweep", stageRecovery: "stage-recovery" } as const;

/** The BullMQ job states operators see in /health/workers and /metrics. */
export const JOB_STATES = [
  "waiting",
  "active",
  "delayed",
  "prioritized",
  "waiting-children",
  "failed",
  "completed",
] as const;
export type QueueName = (typeof QUEUE)[keyof typeof QUEUE];

/** What the indexer enqueues per minted token. Numbers are decimal strings. */
export type GenerateJobData = {
  chainId: number;
  contract: string;
  tokenId: string;
  promptAuthor: string;
  minter: string;
  mintTxHash: string;
  mintBlockNumber: string;
};

export type PinJobData = { chainId: number; tokenId: string; mintTxHash: string };

/**
 * A recovery pass. A periodic one carries no data; the passes the watchdog asks for after a Redis
 * wipe say so (`afterWipe`), and take even the youngest minted token with no row (see
 * pipeline/recovery/recover-missing-mints.ts).
 */
export type RecoverJobData = { afterWipe?: boolean };

/**
 * A reveal round: `ready` when a token became ready, `timer` when the oldest ready token's wait ran
 * out, `manual` from the admin API or CLI, `recover` at start-up, from recovery and the sweep
 * scheduler, `recheck` to look again at tokens a due round had to hold back (fees above the cap, mint
 * not deep yet).
 */
export type RevealJobData = { trigger: "ready" | "timer" | "manual" | "recover" | "recheck"; tokenIds?: string[] };

/**
 * The generate job of one minted token, built the same way by the indexer, the reveal processor
 * (a reassigned id) and recovery, so every path gives the same id the same data: addresses
 * checksummed, numbers as decimal strings.
 */
export function generateJobData(m: {
  chainId: number;
  contract: string;
  tokenId: bigint | string;
  author: string;
  minter: string;
  mintTxHash: string;
  mintBlockNumber: bigint | number;
}): GenerateJobData {
  return {
    chainId: m.chainId,
    contract: getAddress(m.contract),
    tokenId: m.tokenId.toString(),
    promptAuthor: getAddress(m.author),
    minter: getAddress(m.minter),
    mintTxHash: m.mintTxHash,
    mintBlockNumber: m.mintBlockNumber.toString(),
  };
}

export const generateJobId = (d: Pick<GenerateJobData, "chainId" | "tokenId" | "mintTxHash">) =>
  `gen-${d.chainId}-${d.tokenId}-${d.mintTxHash}`;
export const pinJobId = (d: PinJobData) => `pin-${d.chainId}-${d.tokenId}-${d.mintTxHash}`;

/**
 * Finished jobs are kept long enough (and numerous enough) that a replayed enqueue of the same id
 * within that window is deduplicated by BullMQ; the database stops older duplicates (jobs skip
 * finished work).
 */
const KEEP_COMPLETED = { age: 7 * 24 * 3600, count: 100_000 };
const KEEP_FAILED = { age: 30 * 24 * 3600 };

/** Production defaults for stage jobs: retries with exponential backoff (jitter set per worker). */
export function stageJobOptions(attempts: number, backoffMs: number): DefaultJobOptions {
  return {
    attempts,
    backoff: { type: "exponential", delay: backoffMs, jitter: 0.5 },
    removeOnComplete: KEEP_COMPLETED,
    removeOnFail: KEEP_FAILED,
  };
}
