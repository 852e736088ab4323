/** The chain's view of one token, read before any paid call (invariants 1 and 3). */
import { type Address, type Hash, type PublicClient, TransactionReceiptNotFoundError, zeroAddress } from "viem";
import { GliskNFTAbi } from "../abis/GliskNFTAbi";

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
  const c = { address: p.contract, abi: GliskNFTAbi } as const;
  const [reads, receipt] = await Promise.all([
    chain.multicall({
      allowFailure: false,
      deployless: !chain.chain?.contracts?.multicall3,
      contracts: [
        { ...c, functionName: "isRevealed", args: [p.tokenId] },
        { ...c, functionName: "tokenPromptAuthor", args: [p.tokenId] },
      ],
    }),
    chain.getTransactionReceipt({ hash: p.mintTxHash }).catch((error) => {
      if (error instanceof TransactionReceiptNotFoundError) return undefined;
      throw error;
    }),
  ]);
  const [revealed, author] = reads as [boolean, Address];
  return { revealed, author: author ?? zeroAddress, mintCanonical: receipt?.status === "success" };
}
