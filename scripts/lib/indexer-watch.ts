/**
 * The supervisors' watch over the indexer (npm start, npm run dev): Ponder can stay up and answer
 * HTTP while it no longer follows the chain. Every few seconds this compares its indexed block
 * (Ponder's /status) with the chain head (the RPC itself) using the rule the health routes use
 * (common/indexer-lag.ts), and reports a stall once the indexer has been lagging for `restartAfterMs`
 * after its backfill. The supervisor then restarts it.
 */
import { type BlockPoint, indexedBlock, indexerLag, type PonderStatus } from "../../common/indexer-lag";

export type IndexerWatchParameters = {
  indexerUrl: string;
  rpcUrl: string;
  chainId: number;
  maxBlocks: number;
  maxSeconds: number;
  restartAfterMs: number;
  everyMs?: number;
  onStall: (reason: string) => void;
};

const REQUEST_TIMEOUT_MS = 5_000;

async function chainHead(rpcUrl: string): Promise<BlockPoint | undefined> {
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getBlockByNumber", params: ["latest", false] }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  }).catch(() => undefined);
  const block = (await response?.json().catch(() => undefined)) as { result?: { number: string; timestamp: string } };
  return block?.result ? { number: Number(block.result.number), timestamp: Number(block.result.timestamp) } : undefined;
}

async function indexed(indexerUrl: string, chainId: number): Promise<BlockPoint | undefined> {
  const get = (path: string) => fetch(`${indexerUrl}${path}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const ready = await get("/ready").then(
    (r) => r.status === 200,
    () => false,
  );
  if (!ready) return undefined; // starting, or still in its backfill: trailing the head by design
  const status = (await get("/status").then(
    (r) => r.json(),
    () => undefined,
  )) as PonderStatus | undefined;
  return indexedBlock(status, chainId);
}

/** Starts watching; `stop()` ends it. */
export function watchIndexer(p: IndexerWatchParameters): { stop: () => void } {
  let since: number | undefined;
  let busy = false;
  const check = async () => {
    const [block, head] = await Promise.all([indexed(p.indexerUrl, p.chainId), chainHead(p.rpcUrl)]);
    if (!block || !head) {
      since = undefined;
      return;
    }
    const lag = indexerLag({ indexed: block, head, maxBlocks: p.maxBlocks, maxSeconds: p.maxSeconds });
    if (!lag.lagging) {
      since = undefined;
      return;
    }
    since ??= Date.now();
    if (Date.now() - since < p.restartAfterMs) return;
    since = undefined;
    p.onStall(
      `indexer ${lag.blocks} blocks (${lag.seconds} s) behind the chain head for over ${p.restartAfterMs / 1000} s`,
    );
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
