/**
 * Pre-flight checks of invariants 4 and 6 for one batch of ready tokens, against the chain: the
 * token exists (below nextTokenId, whatever its author: the zero address is one), its mint is
 * REVEAL_CONFIRMATIONS deep, the chain still records the author the image was made for, and it is
 * not revealed already. Reads only; the caller acts on the verdicts.
 */
import type { Address, Hash, PublicClient } from "viem";
import { findMint, type MintLocation, type MintRange, mintCovering, mintsInTx } from "../chain/mints";
import { readTokens } from "../chain/token-reads";
import type { Token } from "../db/schema";

export type PreflightParameters = {
  chain: PublicClient;
  contract: Address;
  startBlock: number;
  confirmations: number;
  tokens: readonly Token[];
};

export type PreflightResult = {
  /** Safe to reveal, with the canonical mint (refreshed when a reorg moved it within the same author). */
  reveal: { token: Token; mint: MintLocation }[];
  /** Revealed on-chain already: record, send nothing. */
  alreadyRevealed: Token[];
  /**
   * The mint is not deep enough yet: try again later; `deepAt` is the head at which it will be (unknown
   * while the node has not shown the mint for the token's current author).
   */
  notDeep: { token: Token; deepAt?: number }[];
  /** The id now belongs to a mint for another author: the image is stale, regenerate for `mint`. */
  reassigned: { token: Token; mint: MintLocation }[];
  /** No such token on-chain (its mint was reorged away and not replaced). */
  missing: Token[];
};

/** Classifies every token of a batch; throws only on transient chain errors. */
export async function preflight(p: PreflightParameters): Promise<PreflightResult> {
  const result: PreflightResult = { reveal: [], alreadyRevealed: [], notDeep: [], reassigned: [], missing: [] };
  if (p.tokens.length === 0) return result;
  const head = await p.chain.getBlockNumber({ cacheTime: 0 });
  const onChain = await readTokens(p.chain, { contract: p.contract, ids: p.tokens.map((t) => BigInt(t.token_id)) });
  // One receipt per mint transaction, shared by the tokens it minted.
  const receipts = new Map<string, Promise<MintRange[]>>();
  const located = await Promise.all(
    p.tokens.map(async (token, i) => {
      const state = onChain[i];
      if (!state) throw new Error(`multicall returned no result for token ${token.token_id}`);
      if (state.revealed || !state.minted) return { token, state, mint: undefined };
      const id = BigInt(token.token_id);
      const key = token.mint_tx_hash;
      if (!receipts.has(key)) receipts.set(key, mintsInTx(p.chain, { contract: p.contract, txHash: key as Hash }));
      const mint =
        mintCovering((await receipts.get(key)) ?? [], id) ??
        (await findMint(p.chain, {
          contract: p.contract,
          tokenId: id,
          nearBlock: BigInt(token.mint_block_number),
          startBlock: BigInt(p.startBlock),
          head,
        }));
      return { token, state, mint };
    }),
  );
  for (const { token, state, mint } of located) {
    if (state.revealed) result.alreadyRevealed.push(token);
    else if (!state.minted) result.missing.push(token);
    else if (state.author.toLowerCase() !== token.author.toLowerCase()) {
      // Without the new mint's log we cannot regenerate for it yet (node lagging): look again later.
      if (mint && mint.author.toLowerCase() === state.author.toLowerCase()) result.reassigned.push({ token, mint });
      else result.notDeep.push({ token });
    } else if (!mint) result.notDeep.push({ token });
    else if (Number(head) - mint.blockNumber + 1 < p.confirmations)
      result.notDeep.push({ token, deepAt: mint.blockNumber + p.confirmations - 1 });
    else result.reveal.push({ token, mint });
  }
  return result;
}
