/**
 * What the chain says about tokens: the per-token author and reveal flag the stages check before any
 * paid call and before a reveal (invariants 1, 3, 4 and 6), and the fuller view operators see.
 */
import { type Address, type Hash, type PublicClient, zeroAddress } from "viem";
import { GliskNFTAbi } from "../../abis/GliskNFTAbi";
import { receiptOrUndefined } from "./mints";

export type TokenOnChain = { author: Address; revealed: boolean };

export type ReadTokensParameters = { contract: Address; ids: readonly bigint[] };

/** `tokenPromptAuthor` and `isRevealed` of every id in one multicall (deployless where the chain has no Multicall3). */
export async function readTokens(chain: PublicClient, p: ReadTokensParameters): Promise<TokenOnChain[]> {
  if (p.ids.length === 0) return [];
  const c = { address: p.contract, abi: GliskNFTAbi } as const;
  const results = await chain.multicall({
    allowFailure: false,
    deployless: !chain.chain?.contracts?.multicall3,
    contracts: p.ids.flatMap((id) => [
      { ...c, functionName: "tokenPromptAuthor", args: [id] } as const,
      { ...c, functionName: "isRevealed", args: [id] } as const,
    ]),
  });
  return p.ids.map((_, i) => ({ author: results[2 * i] as Address, revealed: results[2 * i + 1] as boolean }));
}

/** `isRevealed` of every id in one multicall. */
export async function readRevealed(chain: PublicClient, p: ReadTokensParameters): Promise<boolean[]> {
  return (await readTokens(chain, p)).map((t) => t.revealed);
}

export type OnChainToken = {
  revealed: boolean;
  /** zero address when the node does not know the token (not minted there, or not yet seen). */
  author: Address;
  /** Whether the job's mint transaction is canonical and succeeded on this node. */
  mintCanonical: boolean;
};

/** isRevealed + tokenPromptAuthor in one multicall, and the mint receipt: the generate stage's check before paying. */
export async function readOnChainToken(
  chain: PublicClient,
  p: { contract: Address; tokenId: bigint; mintTxHash: Hash },
): Promise<OnChainToken> {
  const [reads, receipt] = await Promise.all([
    readTokens(chain, { contract: p.contract, ids: [p.tokenId] }),
    receiptOrUndefined(chain, p.mintTxHash),
  ]);
  const { revealed, author } = reads[0] as TokenOnChain;
  return { revealed, author: author ?? zeroAddress, mintCanonical: receipt?.status === "success" };
}

export type TokenChainState = {
  exists: boolean;
  owner: Address | null;
  isRevealed: boolean | null;
  tokenURI: string | null;
  promptAuthor: Address | null;
};

/** Owner, reveal flag, URI and prompt author of a token, for operators; a token never minted has exists=false. */
export async function readTokenChainState(
  chain: PublicClient,
  p: { contract: Address; tokenId: bigint },
): Promise<TokenChainState> {
  const contract = { address: p.contract, abi: GliskNFTAbi } as const;
  const { tokenId } = p;
  // Separate reads, not a multicall: ownerOf and tokenURI revert for a token that does not exist, and
  // each answer is wanted on its own.
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
