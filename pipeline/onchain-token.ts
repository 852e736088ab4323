/** The chain's view of one token, read before any paid call (invariants 1 and 3). */
import { type Address, type Hash, type PublicClient, zeroAddress } from "viem";
import { readTokens, receiptOrUndefined, type TokenOnChain } from "./reveal/chain-reads";

export type OnChainToken = {
  revealed: boolean;
  /** zero address when the node does not know the token (not minted there, or not yet seen). */
  author: Address;
  /** Whether the job's mint transaction is canonical and succeeded on this node. */
  mintCanonical: boolean;
};

/** isRevealed + tokenPromptAuthor in one multicall (deployless on chains without Multicall3), and the mint receipt. */
export async function readOnChainToken(
  chain: PublicClient,
  p: { contract: Address; tokenId: bigint; mintTxHash: Hash },
): Promise<OnChainToken> {
  const [reads, receipt] = await Promise.all([
    readTokens(chain, p.contract, [p.tokenId]),
    receiptOrUndefined(chain, p.mintTxHash),
  ]);
  const { revealed, author } = reads[0] as TokenOnChain;
  return { revealed, author: author ?? zeroAddress, mintCanonical: receipt?.status === "success" };
}
