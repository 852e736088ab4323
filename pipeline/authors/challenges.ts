/**
 * Replay-proof sign-in challenges (EIP-4361, built with viem's SIWE helpers). The server writes the
 * whole message (its domain and URI, the chain, a random single-use nonce, a 10-minute expiry and a
 * statement naming the action, for a prompt the sha256 of the exact text) and keeps it in Redis under
 * its nonce. A write route accepts a signed challenge once: every field is checked against what this
 * server signs in for, then the message must equal the stored one byte for byte (which also rules out
 * anything appended), then the signature is checked (authorize.ts), and only then is the nonce spent,
 * atomically (GETDEL), so a bad signature cannot burn someone's challenge and two concurrent
 * submissions cannot both pass.
 */
import { randomBytes } from "node:crypto";
import { type Address, isAddressEqual } from "viem";
import { createSiweMessage, parseSiweMessage } from "viem/siwe";
import { ApiError } from "../../common/http-errors";
import { type AuthorAction, challengeStatement, statementAction } from "./messages";
import { type AuthorServices, authorKey, stateStore } from "./services";

/** How far in the future a clock may put `Issued At` before the message is refused. */
const CLOCK_SKEW_MS = 60_000;

const refuse = (code: string, message: string) => new ApiError(400, code, message);

export type ChallengeParameters = { wallet: Address; action: AuthorAction; promptText?: string };

/** Issues a challenge for `wallet` to sign, valid for AUTHOR_CHALLENGE_TTL_SECONDS. */
export async function issueChallenge(
  s: AuthorServices,
  p: ChallengeParameters,
): Promise<{ message: string; expiresAt: Date }> {
  const ttl = s.config.AUTHOR_CHALLENGE_TTL_SECONDS;
  const site = new URL(s.config.PUBLIC_URL);
  const issuedAt = s.now();
  const expiresAt = new Date(issuedAt.getTime() + ttl * 1000);
  const nonce = randomBytes(16).toString("hex");
  const message = createSiweMessage({
    domain: site.host,
    uri: site.origin,
    address: p.wallet,
    chainId: s.config.network.chainId,
    nonce,
    issuedAt,
    expirationTime: expiresAt,
    statement: challengeStatement(p.action, p.promptText),
    version: "1",
  });
  await stateStore(s.redis.set(authorKey(s, `challenge:${nonce}`), message, "EX", ttl, "NX"));
  return { message, expiresAt };
}

export type CheckChallengeParameters = ChallengeParameters & { message: string };

/**
 * Checks everything about a signed challenge but the signature; throws 400 with the reason. Returns
 * `spend`, which uses the nonce up (and throws if another request spent it first).
 */
export async function checkChallenge(
  s: AuthorServices,
  p: CheckChallengeParameters,
): Promise<{ spend: () => Promise<void> }> {
  const fields = parseSiweMessage(p.message);
  if (!fields.nonce || !fields.address || !fields.domain) {
    throw refuse(
      "invalid_message",
      "the message is not a sign-in challenge: request one at POST /api/authors/challenge",
    );
  }
  checkFields(s, p, fields);
  const key = authorKey(s, `challenge:${fields.nonce}`);
  const issued = await stateStore(s.redis.get(key));
  if (issued === null) throw unknownChallenge();
  if (issued !== p.message)
    throw refuse("message_mismatch", "the message differs from the challenge this server issued");
  return {
    spend: async () => {
      if ((await stateStore(s.redis.getdel(key))) === null) throw unknownChallenge();
    },
  };
}

const unknownChallenge = () =>
  refuse("unknown_challenge", "this challenge is unknown, expired or already used: request a new one");

/** Domain, URI, chain, address, times and statement, each against what this server issues. */
function checkFields(s: AuthorServices, p: CheckChallengeParameters, f: ReturnType<typeof parseSiweMessage>): void {
  const site = new URL(s.config.PUBLIC_URL);
  const now = s.now().getTime();
  if (f.domain !== site.host) throw refuse("wrong_domain", `the message is for ${f.domain}, not ${site.host}`);
  if (f.uri !== site.origin) throw refuse("wrong_domain", `the message's URI is ${f.uri}, not ${site.origin}`);
  const chainId = s.config.network.chainId;
  if (f.chainId !== chainId) throw refuse("wrong_chain", `the message is for chain ${f.chainId}, not ${chainId}`);
  if (f.version !== "1") throw refuse("invalid_message", "the message is not an EIP-4361 version 1 message");
  if (!f.address || !isAddressEqual(f.address, p.wallet)) {
    throw refuse("wrong_address", `the message signs in ${f.address}, not ${p.wallet}`);
  }
  if (!f.expirationTime || now >= f.expirationTime.getTime()) {
    throw refuse("expired", "the challenge expired: request a new one");
  }
  const notBefore = Math.max(f.issuedAt?.getTime() ?? 0, f.notBefore?.getTime() ?? 0);
  if (notBefore > now + CLOCK_SKEW_MS) throw refuse("not_yet_valid", "the challenge is not valid yet");
  if (f.statement !== challengeStatement(p.action, p.promptText)) {
    if (statementAction(f.statement) !== p.action) {
      throw refuse("wrong_action", `the challenge was issued for another action, not "${p.action}"`);
    }
    throw refuse("prompt_mismatch", "the challenge was issued for another prompt text (its sha256 differs)");
  }
}
