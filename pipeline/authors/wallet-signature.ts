/**
 * Whether a wallet signed a message (EIP-191), for every kind of wallet: an EOA is checked locally by
 * recovering the signer, with no RPC call; anything else goes to the chain through viem, which runs
 * ERC-1271 `isValidSignature` for a deployed smart wallet and the ERC-6492 deployless validator for
 * one not deployed yet (Coinbase Smart Wallet signs that way before its first transaction).
 */
import type { Address, Hex, PublicClient } from "viem";
import { ApiError } from "../../common/http-errors";

export type VerifyWalletSignatureParameters = { address: Address; message: string; signature: Hex };

/**
 * Resolves when `signature` is `address`'s over `message`; throws 400 `bad_signature` when it is not,
 * 503 `rpc_unavailable` when a smart wallet's answer could not be had because the chain is unreachable.
 */
export async function verifyWalletSignature(chain: PublicClient, p: VerifyWalletSignatureParameters): Promise<void> {
  // mode "eoa": ECDSA recovery first; only a signature that does not recover to `address` costs an eth_call.
  const valid = await chain.verifyMessage({ ...p, mode: "eoa" }).catch(() => false);
  if (valid) return;
  // viem answers false, not an error, when the eth_call fails: tell an outage from a wrong signature.
  const reachable = await chain.getBlockNumber({ cacheTime: 0 }).then(
    () => true,
    () => false,
  );
  if (!reachable) {
    throw new ApiError(
      503,
      "rpc_unavailable",
      "the chain cannot be reached to check a smart wallet's signature; retry",
    );
  }
  throw new ApiError(400, "bad_signature", `the signature is not ${p.address}'s over this message`);
}
