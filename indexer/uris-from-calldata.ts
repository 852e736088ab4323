/**
 * Where a TokensRevealed event's URIs come from. The keeper calls `revealTokens(ids, uris)` directly,
 * so the URIs are in the transaction's calldata and cost no RPC read. Anything else (a multisig, a
 * batching contract) falls back to one `tokenURI` read per token at the reveal's block.
 */
import { type Address, decodeFunctionData, type Hex, isAddressEqual } from "viem";
import { GliskNFTAbi } from "../abis/GliskNFTAbi";

export type UrisFromCalldataParameters = {
  contract: Address;
  transaction: { to: Address | null; input: Hex };
  tokenIds: readonly bigint[];
};

/**
 * Returns the URIs of a direct `revealTokens` call whose ids are exactly the event's ids (same order),
 * or `undefined` when the transaction is not such a call and the caller must read them instead.
 */
export function urisFromCalldata({
  contract,
  transaction,
  tokenIds,
}: UrisFromCalldataParameters): string[] | undefined {
  if (!transaction.to || !isAddressEqual(transaction.to, contract)) return undefined;
  let decoded: ReturnType<typeof decodeFunctionData<typeof GliskNFTAbi>>;
  try {
    decoded = decodeFunctionData({ abi: GliskNFTAbi, data: transaction.input });
  } catch {
    return undefined;
  }
  if (decoded.functionName !== "revealTokens") return undefined;
  const [ids, uris] = decoded.args;
  if (ids.length !== tokenIds.length || uris.length !== tokenIds.length) return undefined;
  if (ids.some((id, i) => id !== tokenIds[i])) return undefined;
  return [...uris];
}
