/**
 * `simulateContract` before every send, and the binary split that isolates the token at fault when
 * a batch still reverts after pre-flight (invariant 6).
 */
import type { Address, PublicClient } from "viem";
import { GliskNFTAbi } from "../../abis/GliskNFTAbi";
import { type DecodedRevert, decodeRevert } from "../../common/revert";
import { isUnauthorized, KeeperUnauthorizedError } from "./keeper";

export type RevealCall = { chain: PublicClient; contract: Address; keeper: Address };
export type RevealItem = { tokenId: string; uri: string };

/** Simulates revealTokens as the keeper: undefined when it would succeed, else the decoded revert. */
export async function simulateReveal(
  call: RevealCall,
  items: readonly RevealItem[],
): Promise<DecodedRevert | undefined> {
  try {
    await call.chain.simulateContract({
      address: call.contract,
      abi: GliskNFTAbi,
      functionName: "revealTokens",
      args: [items.map((i) => BigInt(i.tokenId)), items.map((i) => i.uri)],
      account: call.keeper,
    });
    return undefined;
  } catch (error) {
    const revert = decodeRevert(error);
    if (!revert) throw error; // transient: the RPC failed, not the call
    if (isUnauthorized(revert)) throw new KeeperUnauthorizedError(call.keeper, revert.message);
    return revert;
  }
}

export type IsolateResult = { ok: RevealItem[]; faults: { item: RevealItem; revert: DecodedRevert }[] };

/**
 * Splits a reverting batch in halves until each reverting part is one token: those are the faults,
 * every part that simulates cleanly is kept. About 2·k·log2(n) simulations for k faulty tokens.
 */
export async function isolateFaults({
  simulate,
  items,
  knownRevert,
}: {
  simulate: (items: readonly RevealItem[]) => Promise<DecodedRevert | undefined>;
  items: readonly RevealItem[];
  /** The revert the whole batch already gave, so it is not simulated twice. */
  knownRevert?: DecodedRevert;
}): Promise<IsolateResult> {
  const result: IsolateResult = { ok: [], faults: [] };
  const visit = async (part: readonly RevealItem[], revert: DecodedRevert | undefined): Promise<void> => {
    if (part.length === 0) return;
    const outcome = revert ?? (await simulate(part));
    if (!outcome) {
      result.ok.push(...part);
      return;
    }
    const [only] = part;
    if (part.length === 1 && only) {
      result.faults.push({ item: only, revert: outcome });
      return;
    }
    const middle = Math.ceil(part.length / 2);
    await visit(part.slice(0, middle), undefined);
    await visit(part.slice(middle), undefined);
  };
  await visit(items, knownRevert);
  return result;
}
