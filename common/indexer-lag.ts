/**
 * When the indexer counts as stalled: its last indexed block trails the chain head by more than
 * `maxBlocks` and is older than the head by more than `maxSeconds`. Both, so a chain that briefly
 * bursts ahead, or an indexer a few blocks behind on a slow chain, is not called stalled. The
 * pipeline's health routes and the supervisors (which restart a stalled indexer) share this rule.
 */
export type BlockPoint = { number: number; timestamp: number };

export type LagParameters = { indexed: BlockPoint; head: BlockPoint; maxBlocks: number; maxSeconds: number };

export type Lag = { blocks: number; seconds: number; lagging: boolean };

export function indexerLag(p: LagParameters): Lag {
  const blocks = Math.max(0, p.head.number - p.indexed.number);
  const seconds = Math.max(0, p.head.timestamp - p.indexed.timestamp);
  return { blocks, seconds, lagging: blocks > p.maxBlocks && seconds > p.maxSeconds };
}

/** Ponder's `/status`: `{ [chainName]: { id, block: { number, timestamp } } }`. */
export type PonderStatus = Record<string, { id: number; block: BlockPoint }>;

/** The indexed block of `chainId` in Ponder's `/status`, or undefined. */
export function indexedBlock(status: PonderStatus | undefined, chainId: number): BlockPoint | undefined {
  return status ? Object.values(status).find((s) => s.id === chainId)?.block : undefined;
}
