/** Signing revealTokens with the keeper's local account, and broadcasting the raw transaction. */
import {
  BaseError,
  encodeFunctionData,
  FeeCapTooLowError,
  type Hash,
  keccak256,
  NonceTooLowError,
  type PublicClient,
} from "viem";
import { sendRawTransaction } from "viem/actions";
import { getNodeError } from "viem/utils";
import { GliskNFTAbi } from "../../abis/GliskNFTAbi";
import type { RevealTransaction } from "../db/schema";
import type { Fees } from "./fees";
import type { Sender } from "./sender";

export type SignedReveal = { raw: `0x${string}`; hash: Hash };

export type SignParameters = {
  tokenIds: readonly string[];
  uris: readonly string[];
  nonce: number;
  gas: bigint;
  fees: Fees;
};

/** Signs revealTokens locally; the same inputs always give the same hash (RFC 6979 signatures). */
export async function signReveal(s: Sender, p: SignParameters): Promise<SignedReveal> {
  const data = encodeFunctionData({
    abi: GliskNFTAbi,
    functionName: "revealTokens",
    args: [p.tokenIds.map(BigInt), [...p.uris]],
  });
  const raw = await s.keeper.account.signTransaction({
    type: "eip1559",
    chainId: s.chainId,
    to: s.contract,
    data,
    value: 0n,
    nonce: p.nonce,
    gas: p.gas,
    maxFeePerGas: p.fees.maxFeePerGas,
    maxPriorityFeePerGas: p.fees.maxPriorityFeePerGas,
  });
  return { raw, hash: keccak256(raw) };
}

/** The fees a stored reveal row was last signed with. */
export function rowFees(row: RevealTransaction): Fees {
  return { maxFeePerGas: BigInt(row.max_fee_per_gas), maxPriorityFeePerGas: BigInt(row.max_priority_fee_per_gas) };
}

/** Signs a stored reveal row again (same tokens, nonce and gas) with `fees`. */
export function signRow(s: Sender, { row, fees }: { row: RevealTransaction; fees: Fees }): Promise<SignedReveal> {
  return signReveal(s, { tokenIds: row.token_ids, uris: row.uris, nonce: row.nonce, gas: BigInt(row.gas_limit), fees });
}

/**
 * Broadcasts a signed transaction. A node that already has it, or whose nonce is already used, is
 * not an error here: the receipt watch decides what happened at that nonce. `underpriced` means the
 * node refused the fees (below the base fee, or below another transaction at this nonce): the watch
 * replaces it later with higher fees.
 */
export async function broadcast(chain: PublicClient, raw: `0x${string}`): Promise<"sent" | "known" | "underpriced"> {
  try {
    await sendRawTransaction(chain, { serializedTransaction: raw });
    return "sent";
  } catch (error) {
    if (!(error instanceof BaseError)) throw error;
    const node = getNodeError(error, {});
    if (node instanceof NonceTooLowError) return "known";
    // Base fee rose above our max fee since the quote: the watch replaces it at the current price.
    if (node instanceof FeeCapTooLowError) return "underpriced";
    // No viem class for the pool's replacement rule; geth, reth and anvil all say "underpriced".
    if (/underpriced/i.test(error.details ?? error.message)) return "underpriced";
    throw error;
  }
}
