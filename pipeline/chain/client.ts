/** viem clients for the configured network. */
import { type Chain, createPublicClient, http, type PublicClient } from "viem";
import { base, baseSepolia, foundry } from "viem/chains";
import type { Network } from "../../common/network";

const chains: Record<number, Chain> = { [foundry.id]: foundry, [base.id]: base, [baseSepolia.id]: baseSepolia };

function chainFor(network: Network): Chain {
  const chain = chains[network.chainId];
  if (!chain) throw new Error(`no chain definition for chain id ${network.chainId}`);
  return chain;
}

/** A public client; fast polling on the local chain (1 s blocks), Base's 2 s blocks otherwise. */
export function createChainClient(network: Network): PublicClient {
  return createPublicClient({
    chain: chainFor(network),
    transport: http(network.rpcUrl, { retryCount: 3, timeout: 15_000 }),
    pollingInterval: network.chainId === foundry.id ? 200 : 1_000,
    batch: { multicall: true },
  }) as PublicClient;
}
