/**
 * What the health routes ask other services, with a timeout and cached for HEALTH_CACHE_MS: a health
 * endpoint polled by an orchestrator (or hammered by anyone) costs at most one RPC call and one
 * indexer request per cache period, not one per request.
 */
import { type BlockPoint, indexedBlock, indexerLag, type PonderStatus } from "../../common/indexer-lag";
import type { Context } from "../context";
import { type KeeperStatus, keeperStatus } from "../reveal/keeper";

const CHECK_TIMEOUT_MS = 3_000;

/** `promise`, or a rejection after `ms`. */
export async function within<T>(promise: Promise<T>, ms = CHECK_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `load` at most once per `ms`: calls within that time share its promise (a failure is shared too). */
export function sharedFor<T>(ms: number, load: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!last || Date.now() - last.at > ms) last = { at: Date.now(), value: load() };
    return last.value;
  };
}

export type IndexerHealth = {
  reachable: boolean;
  ready: boolean;
  chainId: number;
  indexedBlock: number | null;
  chainHead: number | null;
  lag: number | null;
  lagSeconds: number | null;
  status: "ok" | "syncing" | "lagging" | "unavailable";
  reason?: string;
};

export type HealthProbes = {
  /** The chain head (number and timestamp), or undefined when the RPC does not answer. */
  head(): Promise<BlockPoint | undefined>;
  indexer(): Promise<IndexerHealth>;
  /** The keeper's status, or undefined when it cannot be read. */
  keeper(): Promise<KeeperStatus | undefined>;
};

/** The probes of one HTTP app, sharing one cache. */
export function createHealthProbes(ctx: Pick<Context, "config" | "chain">): HealthProbes {
  const ms = ctx.config.HEALTH_CACHE_MS;
  const head = sharedFor(ms, async () => {
    const block = await within(ctx.chain.getBlock({ blockTag: "latest" })).catch(() => undefined);
    return block ? { number: Number(block.number), timestamp: Number(block.timestamp) } : undefined;
  });
  const base = ctx.config.INDEXER_URL.replace(/\/+$/, "");
  const ponder = sharedFor(ms, () =>
    Promise.all([
      within(fetch(`${base}/status`).then((r) => (r.ok ? (r.json() as Promise<PonderStatus>) : undefined))).catch(
        () => undefined,
      ),
      within(fetch(`${base}/ready`).then((r) => r.status === 200)).catch(() => false),
    ]),
  );
  const indexer = async (): Promise<IndexerHealth> => {
    const [[status, ready], chainHead] = await Promise.all([ponder(), head()]);
    return indexerHealth(ctx.config, { status, ready, head: chainHead });
  };
  const keeper = sharedFor(ms, () => within(keeperStatus(ctx)).catch(() => undefined));
  return { head, indexer, keeper };
}

type IndexerReads = { status: PonderStatus | undefined; ready: boolean; head: BlockPoint | undefined };

function indexerHealth(config: Context["config"], r: IndexerReads): IndexerHealth {
  const indexed = indexedBlock(r.status, config.network.chainId);
  const lag =
    indexed && r.head
      ? indexerLag({
          indexed,
          head: r.head,
          maxBlocks: config.INDEXER_MAX_LAG_BLOCKS,
          maxSeconds: config.INDEXER_MAX_LAG_SECONDS,
        })
      : undefined;
  const body = {
    reachable: r.status !== undefined,
    ready: r.ready,
    chainId: config.network.chainId,
    indexedBlock: indexed?.number ?? null,
    chainHead: r.head?.number ?? null,
    lag: lag?.blocks ?? null,
    lagSeconds: lag?.seconds ?? null,
  };
  if (!r.status) return { ...body, status: "unavailable", reason: "indexer unreachable" };
  if (!r.head) return { ...body, status: "unavailable", reason: "rpc unreachable" };
  if (!indexed) return { ...body, status: "unavailable", reason: "indexer has not indexed this chain yet" };
  // A backfill trails the head by design; only a ready indexer that falls behind is lagging.
  if (!r.ready) return { ...body, status: "syncing" };
  if (lag?.lagging) {
    const reason = `indexer ${lag.blocks} blocks (${lag.seconds} s) behind the chain head`;
    return { ...body, status: "lagging", reason };
  }
  return { ...body, status: "ok" };
}
