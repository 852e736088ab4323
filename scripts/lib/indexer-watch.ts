/**
 * The supervisors' watch over the indexer (npm start, npm run dev): Ponder can stay up and answer
 * HTTP while it no longer follows the chain. Every few seconds this compares its indexed block
 * (Ponder's /status) with the chain head (the RPC itself) using the rule the health routes use
 * (common/indexer-lag.ts), and reports a stall once the indexer has been lagging for `restartAfterMs`
 * after its backfill, or once it has stopped answering at all. The supervisor then restarts it.
 */
import { type BlockPoint, indexedBlock, indexerLag, type PonderStatus } from "../../common/indexer-lag";
import type { IndexerConfig } from "../../indexer/parse-config";
import { httpRequest, jsonOf } from "./http-request";

export type IndexerWatchParameters = {
  indexerUrl: string;
  rpcUrl: string;
  chainId: number;
  maxBlocks: number;
  maxSeconds: number;
  restartAfterMs: number;
  everyMs?: number;
  /** The indexer is known to answer already (dev starts watching once it does); default: not yet. */
  answering?: boolean;
  onStall: (reason: string) => void;
};

const REQUEST_TIMEOUT_MS = 5_000;

async function chainHead(rpcUrl: string): Promise<BlockPoint | undefined> {
  const response = await httpRequest(rpcUrl, {
    method: "POST",
    json: { jsonrpc: "2.0", id: 1, method: "eth_getBlockByNumber", params: ["latest", false] },
    timeoutMs: REQUEST_TIMEOUT_MS,
  }).catch(() => undefined);
  const block = (response && jsonOf(response)) as { result?: { number: string; timestamp: string } } | undefined;
  return block?.result ? { number: Number(block.result.number), timestamp: Number(block.result.timestamp) } : undefined;
}

/** What the indexer says: nothing (down, hung), not ready yet (starting, backfilling), or its block. */
type Reading = { answered: false } | { answered: true; block: BlockPoint | undefined };

async function readIndexer(indexerUrl: string, chainId: number): Promise<Reading> {
  const get = (path: string) => httpRequest(`${indexerUrl}${path}`, { timeoutMs: REQUEST_TIMEOUT_MS });
  const ready = await get("/ready").then(
    (r) => r.status === 200,
    () => undefined,
  );
  if (ready === undefined) return { answered: false };
  if (!ready) return { answered: true, block: undefined }; // in its backfill: trailing the head by design
  const status = (await get("/status").then(
    (r) => jsonOf(r),
    () => undefined,
  )) as PonderStatus | undefined;
  return { answered: true, block: indexedBlock(status, chainId) };
}

/**
 * Starts watching; `stop()` ends it. Two things are stalls: a ready indexer lagging past the limits,
 * and one that answered before and has stopped answering (a blocked event loop, a hung process).
 * Before its first answer (start-up, a schema lock wait) silence is not counted.
 */
export function watchIndexer(p: IndexerWatchParameters): { stop: () => void } {
  let since: number | undefined;
  let busy = false;
  let answeredOnce = p.answering ?? false;
  const stalledFor = (reason: string) => {
    since ??= Date.now();
    if (Date.now() - since < p.restartAfterMs) return;
    since = undefined;
    answeredOnce = false; // the restarted indexer gets its start-up time again
    p.onStall(`${reason} for over ${p.restartAfterMs / 1000} s`);
  };
  const check = async () => {
    const [reading, head] = await Promise.all([readIndexer(p.indexerUrl, p.chainId), chainHead(p.rpcUrl)]);
    if (!reading.answered) {
      if (answeredOnce) stalledFor("indexer not answering");
      return;
    }
    answeredOnce = true;
    if (!reading.block || !head) {
      since = undefined;
      return;
    }
    const lag = indexerLag({ indexed: reading.block, head, maxBlocks: p.maxBlocks, maxSeconds: p.maxSeconds });
    if (!lag.lagging) {
      since = undefined;
      return;
    }
    stalledFor(`indexer ${lag.blocks} blocks (${lag.seconds} s) behind the chain head`);
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void check().finally(() => {
      busy = false;
    });
  }, p.everyMs ?? 10_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** The watch's limits as both supervisors configure it, without its callers' URL and callback. */
export type StallWatchSettings = Pick<
  IndexerWatchParameters,
  "rpcUrl" | "chainId" | "maxBlocks" | "maxSeconds" | "restartAfterMs"
>;

/**
 * The limits from the indexer's own settings (INDEXER_MAX_LAG_*, INDEXER_STALL_RESTART_SECONDS);
 * undefined when restarts are off (0). Takes the parsed config rather than parsing it: npm run dev's
 * supervisor receives these from a child (scripts/dev/steps.ts) and never loads the parser.
 */
export function stallWatchSettings(config: IndexerConfig): StallWatchSettings | undefined {
  if (config.INDEXER_STALL_RESTART_SECONDS === 0) return undefined;
  return {
    rpcUrl: config.network.rpcUrl,
    chainId: config.network.chainId,
    maxBlocks: config.INDEXER_MAX_LAG_BLOCKS,
    maxSeconds: config.INDEXER_MAX_LAG_SECONDS,
    restartAfterMs: config.INDEXER_STALL_RESTART_SECONDS * 1000,
  };
}
