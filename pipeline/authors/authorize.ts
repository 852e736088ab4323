/**
 * Who may change an author: the wallet itself, by signing either a challenge this server issued
 * (challenges.ts, replay-proof) or, with AUTHOR_LEGACY_MESSAGES, the public web client's fixed
 * message for the action (messages.ts, replayable: counted in /metrics).
 */
import { type Address, type Hex, isAddressEqual } from "viem";
import { ApiError } from "../../common/http-errors";
import { checkChallenge } from "./challenges";
import { type AuthorAction, parseLegacyMessage } from "./messages";
import type { AuthorServices } from "./services";
import { verifyWalletSignature } from "./wallet-signature";

export type AuthorizeParameters = {
  wallet: Address;
  action: AuthorAction;
  message: string;
  signature: Hex;
  /** The prompt a `prompt` challenge must commit to, exactly as sent. */
  promptText?: string;
};

export type Authorization = {
  kind: "challenge" | "legacy";
  /** Marks the authorization used, right before the write: a challenge's nonce is spent (once only). */
  spend: () => Promise<void>;
};

/** Verifies that `wallet` signed `message` for `action`; throws 400 (or 503) with the reason otherwise. */
export async function authorizeWallet(s: AuthorServices, p: AuthorizeParameters): Promise<Authorization> {
  const legacy = parseLegacyMessage(p.message);
  if (legacy) {
    if (!s.config.AUTHOR_LEGACY_MESSAGES) {
      throw new ApiError(
        400,
        "legacy_message_refused",
        "fixed messages are not accepted: sign a challenge from POST /api/authors/challenge",
      );
    }
    if (legacy.action !== p.action) {
      throw new ApiError(400, "wrong_action", `the message is for another action, not "${p.action}"`);
    }
    if (!isAddressEqual(legacy.address, p.wallet)) {
      throw new ApiError(400, "wrong_address", `the message names ${legacy.address}, not ${p.wallet}`);
    }
    await verifyWalletSignature(s.chain, { address: p.wallet, message: p.message, signature: p.signature });
    return { kind: "legacy", spend: async () => s.countLegacy(p.action) };
  }
  const challenge = await checkChallenge(s, p);
  await verifyWalletSignature(s.chain, { address: p.wallet, message: p.message, signature: p.signature });
  return { kind: "challenge", spend: challenge.spend };
}
