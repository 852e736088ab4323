/**
 * What bench:surge does to and reads from the chain: mints in bursts of 50 from several minters at
 * once, and the reveals as the chain records them (TokensRevealed logs and their receipts), so every
 * figure comes from the chain rather than from the pipeline's own bookkeeping.
 */
import { type Address, parseEventLogs } from "viem";
import { GliskNFTAbi } from "../../abis/GliskNFTAbi";
import { anvilAccount, localClients, type MintReturnType, mint } from "../../scripts/lib/glisk";

/** Anvil accounts 2 to 9 mint; authors are accounts 3 to 5 (a few prompt authors). */
const MINTERS = 8;
const BURST = 50;

export type MintedToken = { id: bigint; block: number; minedAt: number };

/**
 * Mints `count` tokens in transactions of at most 50, eight minters sending at once (each waits for
 * its previous receipt). Returns each token with its mint block and when its receipt came back.
 */
export async function mintSurge(p: { rpcUrl: string; contract: Address; count: number }): Promise<MintedToken[]> {
  const bursts = Array.from({ length: Math.ceil(p.count / BURST) }, (_, i) => Math.min(BURST, p.count - i * BURST));
  const lanes = Array.from({ length: MINTERS }, (_, lane) => bursts.filter((_, i) => i % MINTERS === lane));
  const minted = await Promise.all(
    lanes.map(async (lane, i) => {
      const out: MintedToken[] = [];
      for (const [k, quantity] of lane.entries()) {
        const author = anvilAccount(3 + ((i + k) % 3)).address;
        const m = await mint({ rpcUrl: p.rpcUrl, address: p.contract, author, quantity, minter: anvilAccount(2 + i) });
        out.push(...tokensOf(m));
      }
      return out;
    }),
  );
  return minted.flat();
}

/** One token minted on its own. */
export async function mintOne(p: { rpcUrl: string; contract: Address }): Promise<MintedToken> {
  const m = await mint({ rpcUrl: p.rpcUrl, address: p.contract, author: anvilAccount(3).address, quantity: 1 });
  const [token] = tokensOf(m);
  if (!token) throw new Error("mint returned no token");
  return token;
}

const tokensOf = (m: MintReturnType): MintedToken[] =>
  m.tokenIds.map((id) => ({ id, block: Number(m.blockNumber), minedAt: Date.now() }));

export type Reveal = { block: number; seenAt: number };

/**
 * Follows TokensRevealed from `fromBlock`: which token was revealed in which block and when this
 * watcher first saw it (polled every `pollMs`), and the gas of every reveal transaction.
 */
export function watchReveals(p: { rpcUrl: string; contract: Address; fromBlock: number; pollMs?: number }) {
  const { publicClient } = localClients(p.rpcUrl);
  const revealed = new Map<bigint, Reveal>();
  const gasByTx = new Map<string, bigint>();
  let next = BigInt(p.fromBlock);
  let stopped = false;

  const poll = async () => {
    const head = await publicClient.getBlockNumber({ cacheTime: 0 });
    if (head < next) return;
    const logs = await publicClient.getLogs({ address: p.contract, fromBlock: next, toBlock: head });
    const seenAt = Date.now();
    for (const log of parseEventLogs({ abi: GliskNFTAbi, eventName: "TokensRevealed", logs })) {
      for (const id of log.args.tokenIds) {
        if (!revealed.has(id)) revealed.set(id, { block: Number(log.blockNumber), seenAt });
      }
      if (!gasByTx.has(log.transactionHash)) {
        const receipt = await publicClient.getTransactionReceipt({ hash: log.transactionHash });
        gasByTx.set(log.transactionHash, receipt.gasUsed);
      }
    }
    next = head + 1n;
  };
  const loop = (async () => {
    while (!stopped) {
      await poll().catch(() => {});
      await new Promise((r) => setTimeout(r, p.pollMs ?? 100));
    }
  })();

  return {
    revealed,
    /** Reveal transactions seen and their total gas. */
    gas: () => ({ transactions: gasByTx.size, total: [...gasByTx.values()].reduce((a, b) => a + b, 0n) }),
    /** Resolves once every one of `ids` is revealed. */
    until: async (ids: readonly bigint[], timeoutMs: number): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      while (!ids.every((id) => revealed.has(id))) {
        if (Date.now() > deadline) {
          const missing = ids.filter((id) => !revealed.has(id));
          throw new Error(`${missing.length} of ${ids.length} tokens not revealed after ${timeoutMs / 1000} s`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
