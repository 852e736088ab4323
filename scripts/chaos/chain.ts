/**
 * What the chaos run reads from the chain itself, never from the pipeline's bookkeeping: which tokens
 * are revealed, how many TokensRevealed logs name each id, and the keeper's transactions with their
 * receipts. Plus the anvil controls a fault needs (hold mining, look into the mempool). All of it
 * talks to anvil directly, not through the proxy the processes under test use.
 */
import { type Address, getAddress, parseEventLogs } from "viem";
import { GliskNFTAbi } from "../../abis/GliskNFTAbi";
import { localClients } from "../lib/glisk";

export type ChainReader = ReturnType<typeof chainReader>;

/** Reads and controls for `contract` on the anvil at `rpcUrl`. */
export function chainReader(p: { rpcUrl: string; contract: Address; keeper: Address }) {
  const { publicClient, testClient } = localClients(p.rpcUrl);
  const keeper = getAddress(p.keeper);

  const isRevealed = (id: bigint) =>
    publicClient.readContract({ address: p.contract, abi: GliskNFTAbi, functionName: "isRevealed", args: [id] });

  return {
    head: () => publicClient.getBlockNumber({ cacheTime: 0 }),

    /** The ids of `ids` that are revealed on-chain now. */
    revealed: async (ids: readonly bigint[]): Promise<bigint[]> => {
      const flags = await Promise.all(ids.map(isRevealed));
      return ids.filter((_, i) => flags[i]);
    },

    /** How many TokensRevealed logs name each id, from `fromBlock` on. */
    revealLogCounts: async (fromBlock: bigint): Promise<Map<bigint, number>> => {
      const logs = await publicClient.getLogs({ address: p.contract, fromBlock, toBlock: "latest" });
      const counts = new Map<bigint, number>();
      for (const event of parseEventLogs({ abi: GliskNFTAbi, eventName: "TokensRevealed", logs })) {
        for (const id of event.args.tokenIds) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      return counts;
    },

    /** The keeper's transactions mined in [fromBlock, toBlock], and how many of them reverted. */
    keeperTransactions: async (fromBlock: bigint, toBlock: bigint) => {
      let sent = 0;
      let reverted = 0;
      for (let n = fromBlock; n <= toBlock; n++) {
        const block = await publicClient.getBlock({ blockNumber: n, includeTransactions: true });
        for (const tx of block.transactions) {
          if (getAddress(tx.from) !== keeper) continue;
          sent += 1;
          const receipt = await publicClient.getTransactionReceipt({ hash: tx.hash });
          if (receipt.status !== "success") reverted += 1;
        }
      }
      return { sent, reverted };
    },

    /** Stops (0) or resumes (1 s) anvil's interval mining. */
    setMining: (intervalSeconds: 0 | 1) => testClient.setIntervalMining({ interval: intervalSeconds }),

    /** Whether a keeper transaction waits in the mempool. */
    keeperTxPending: async (): Promise<boolean> => {
      const { pending } = await testClient.getTxpoolContent();
      return Object.keys(pending).some((from) => getAddress(from) === keeper);
    },
  };
}
