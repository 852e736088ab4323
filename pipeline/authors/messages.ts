/**
 * The texts an author's wallet signs. Two kinds:
 * - a sign-in challenge (EIP-4361) this server issued, whose statement names the action, and for a
 *   prompt the sha256 of the exact prompt text (challenges.ts);
 * - the public web client's fixed messages, accepted only with AUTHOR_LEGACY_MESSAGES: they name no
 *   server, time or nonce, so a captured signature can be replayed forever.
 */
import { createHash } from "node:crypto";
import { type Address, getAddress, isAddress } from "viem";

export const AUTHOR_ACTIONS = ["prompt", "x", "farcaster"] as const;
export type AuthorAction = (typeof AUTHOR_ACTIONS)[number];

const LEGACY_PREFIX: Record<AuthorAction, string> = {
  prompt: "Update GLISK prompt for wallet: ",
  x: "Link X account for wallet: ",
  farcaster: "Link Farcaster account for wallet: ",
};

/** The web client's fixed message for `action` and `address` (as the client writes it: checksummed). */
export const legacyMessage = (action: AuthorAction, address: Address): string =>
  `${LEGACY_PREFIX[action]}${getAddress(address)}`;

/** The action and address of a fixed web-client message (address in any case), or undefined for any other text. */
export function parseLegacyMessage(message: string): { action: AuthorAction; address: Address } | undefined {
  for (const action of AUTHOR_ACTIONS) {
    const prefix = LEGACY_PREFIX[action];
    if (!message.startsWith(prefix)) continue;
    const address = message.slice(prefix.length);
    if (/^0x[0-9a-fA-F]{40}$/.test(address) && isAddress(address, { strict: false })) {
      return { action, address: getAddress(address) };
    }
  }
  return undefined;
}

/** sha256 of the prompt exactly as sent (UTF-8), lowercase hex: what a prompt challenge commits to. */
export const promptSha256 = (promptText: string): string =>
  createHash("sha256").update(promptText, "utf8").digest("hex");

const PROMPT_STATEMENT = /^Set my GLISK prompt to the text with sha256 [0-9a-f]{64}\.$/;
const LINK_STATEMENT: Record<Exclude<AuthorAction, "prompt">, string> = {
  x: "Link an X account to my GLISK author profile.",
  farcaster: "Link a Farcaster account to my GLISK author profile.",
};

/** The statement of a challenge for `action`; EIP-4361 allows only URI characters and spaces in it. */
export function challengeStatement(action: AuthorAction, promptText?: string): string {
  if (action === "prompt") return `Set my GLISK prompt to the text with sha256 ${promptSha256(promptText ?? "")}.`;
  return LINK_STATEMENT[action];
}

/** Which action a challenge statement is for, whatever prompt hash it carries. */
export function statementAction(statement: string | undefined): AuthorAction | undefined {
  if (statement && PROMPT_STATEMENT.test(statement)) return "prompt";
  if (statement === LINK_STATEMENT.x) return "x";
  if (statement === LINK_STATEMENT.farcaster) return "farcaster";
  return undefined;
}
