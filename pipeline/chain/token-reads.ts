/**
 * What the chain says about tokens: whether each exists, its author and reveal flag, which the stages
 * check before any paid call and before a reveal (invariants 1, 3, 4 and 6), and the fuller view
 * operators see.
 *
 * Existence comes from `nextTokenId()` (ids 1 … nextTokenId-1 exist; the contract never burns), never
 * from the author: the deployed contract accepts `address(0)` as prompt author, and such a token
 * exists with author zero.
 */
import type { Address, ContractFunctionParameters, Hash, PublicClient } from "viem";
import { GliskNFTAbi } from "../../abis/GliskNFTAbi";
import { receiptOrUndefined } from "./mints";

export type TokenOnChain = {
  /** Minted on this node: 1 <= id < nextTokenId(). */
  minted: boolean;
  /** The prompt author the chain records; the zero address is a real author value ("none": DEFAULT_PROMPT). */
  author: Address;
  revealed: boolean;
};

export type ReadTokensParameters = { contract: Address; ids: readonly bigint[] };

/**
 * `nextTokenId`, and `tokenPromptAuthor` and `isRevealed` of every id, in one multicall, so all answers
 * come from the same block (deployless where the chain has no Multicall3).
 */
export async function readTokens(chain: PublicClient, p: ReadTokensParameters): Promise<TokenOnChain[]> {
  if (p.ids.length === 0) return [];
  const c = { address: p.contract, abi: GliskNFTAbi } as const;
  const contracts: ContractFunctionParameters[] = [{ ...c, functionName: "nextTokenId" }];
  for (const id of p.ids) {
    contracts.push(
      { ...c, functionName: "tokenPromptAuthor", args: [id] },
      { ...c, functionName: "isRevealed", args: [id] },
    );
  }
  const [next, ...results] = (await chain.multicall({
    allowFailure: false,
    deployless: !chain.chain?.contracts?.multicall3,
    contracts,
  })) as unknown[];
  return p.ids.map((id, i) => ({
    minted: id >= 1n && id < (next as bigint),
    author: results[2 * i] as Address,
    revealed: results[2 * i + 1] as boolean,
  }));
}

/** `isRevealed` of every id in one multicall. */
export async function readRevealed(chain: PublicClient, p: ReadTokensParameters): Promise<boolean[]> {
  return (await readTokens(chain, p)).map((t) => t.revealed);
}

export type OnChainToken = TokenOnChain & {
  /** Whether the job's mint transaction is canonical and succeeded on this node. */
  mintCanonical: boolean;
};

/** Existence, author and reveal flag in one multicall, and the mint receipt: the generate stage's check before paying. */
export async function readOnChainToken(
  chain: PublicClient,
  p: { contract: Address; tokenId: bigint; mintTxHash: Hash },
): Promise<OnChainToken> {
  const [reads, receipt] = await Promise.all([
    readTokens(chain, { contract: p.contract, ids: [p.tokenId] }),
    receiptOrUndefined(chain, p.mintTxHash),
  ]);
  return { ...(reads[0] as TokenOnChain), mintCanonical: receipt?.status === "success" };
}

export type TokenChainState = {
  exists: boolean;
  owner: Address | null;
  isRevealed: boolean | null;
  tokenURI: string | null;
  /** The recorded author of an existing token (the zero address when minted without one); null otherwise. */
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
  return {
    exists,
    owner: value(owner),
    isRevealed: value(revealed),
    tokenURI: exists ? value(uri) : null,
    promptAuthor: exists ? value(author) : null,
  };
}
