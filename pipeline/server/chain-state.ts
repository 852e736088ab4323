/** What the chain says about a token. */
import { type Address, type PublicClient, zeroAddress } from "viem";
import { GliskNFTAbi } from "../../abis/GliskNFTAbi";

export type TokenChainState = {
  exists: boolean;
  owner: Address | null;
  isRevealed: boolean | null;
  tokenURI: string | null;
  promptAuthor: Address | null;
};

/** Reads owner, reveal flag, URI and prompt author of a token; a token that was never minted has exists=false. */
export async function readTokenChainState(
  chain: PublicClient,
  address: Address,
  tokenId: bigint,
): Promise<TokenChainState> {
  const contract = { address, abi: GliskNFTAbi } as const;
  // Separate reads, not multicall: a local anvil chain has no Multicall3 contract.
  const [nextId, owner, revealed, uri, author] = await Promise.allSettled([
    chain.readContract({ ...contract, functionName: "nextTokenId" }),
    chain.readContract({ ...contract, functionName: "ownerOf", args: [tokenId] }),
    chain.readContract({ ...contract, functionName: "isRevealed", args: [tokenId] }),
    chain.readContract({ ...contract, functionName: "tokenURI", args: [tokenId] }),
    chain.readContract({ ...contract, functionName: "tokenPromptAuthor", args: [tokenId] }),
  ]);
  // Without nextTokenId the chain is unreachable: that is an error, not "token does not exist".
  if (nextId.status !== "fulfilled") throw new Error("cannot read nextTokenId", { cause: nextId.reason });
  const exists = tokenId >= 1n && tokenId < nextId.value && owner.status === "fulfilled";
  const value = <T>(r: PromiseSettledResult<T>) => (r.status === "fulfilled" ? r.value : null);
  const promptAuthor = value(author);
  return {
    exists,
    owner: value(owner),
    isRevealed: value(revealed),
    tokenURI: exists ? value(uri) : null,
    promptAuthor: promptAuthor && promptAuthor !== zeroAddress ? promptAuthor : null,
  };
}
