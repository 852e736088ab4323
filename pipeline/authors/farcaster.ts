/**
 * Linking a Farcaster account by Sign In With Farcaster. The web client's Farcaster sign-in hands us
 * a SIWF message, its signature, a fid and a username; none of them is trusted as sent:
 * - the message is verified by @farcaster/auth-client: its statement, chain, nonce, domain
 *   (FARCASTER_SIWF_DOMAIN), expiry and signature, and that its signer is the custody address of the
 *   fid on the IdRegistry (FARCASTER_RPC_URL);
 * - the fid must be the message's; the username must belong to that fid by the fname registry;
 * - the message must be recent (AUTHOR_CHALLENGE_TTL_SECONDS) and is accepted once: its nonce is
 *   remembered in Redis for as long as the message could still be accepted.
 */
import { parseSiweMessage } from "viem/siwe";
import { ApiError } from "../../common/http-errors";
import { FNAME, fnameOwner } from "./fname";
import { type AuthorServices, authorKey, stateStore } from "./services";

const CLOCK_SKEW_MS = 60_000;

const refuse = (code: string, message: string) => new ApiError(400, code, message);

export type FarcasterLinkParameters = { message: string; signature: `0x${string}`; fid: number; username: string };

export type FarcasterAccount = { fid: number; handle: string; spend: () => Promise<void> };

/** Verifies the Farcaster side of a link; throws 400 with the reason, or 503 when a registry is unreachable. */
export async function verifyFarcasterAccount(s: AuthorServices, p: FarcasterLinkParameters): Promise<FarcasterAccount> {
  if (!s.farcaster) throw farcasterNotConfigured();
  const fields = parseSiweMessage(p.message);
  if (!fields.nonce)
    throw refuse("invalid_farcaster_message", "farcaster_message is not a Sign In With Farcaster message");
  checkRecent(s, fields.issuedAt);
  const result = await s.farcaster.verifySignInMessage({
    nonce: fields.nonce,
    domain: s.config.FARCASTER_SIWF_DOMAIN,
    message: p.message,
    signature: p.signature,
    acceptAuthAddress: false,
  });
  if (result.isError) {
    if (result.error?.errCode === "unavailable") {
      throw new ApiError(503, "farcaster_unavailable", "the Farcaster IdRegistry cannot be reached; retry");
    }
    throw refuse("farcaster_signature_invalid", `Farcaster sign-in refused: ${result.error?.message ?? "invalid"}`);
  }
  if (result.fid !== p.fid)
    throw refuse("fid_mismatch", `the Farcaster sign-in is for fid ${result.fid}, not ${p.fid}`);
  const handle = await checkUsername(s, p);
  const key = authorKey(s, `siwf-nonce:${p.fid}:${fields.nonce}`);
  if ((await stateStore(s.redis.exists(key))) > 0) throw used();
  const rememberSeconds = s.config.AUTHOR_CHALLENGE_TTL_SECONDS + CLOCK_SKEW_MS / 1000;
  return {
    fid: p.fid,
    handle,
    spend: async () => {
      if ((await stateStore(s.redis.set(key, "1", "EX", rememberSeconds, "NX"))) === null) throw used();
    },
  };
}

/** The 503 of every Farcaster route when FARCASTER_RPC_URL is not set. */
export const farcasterNotConfigured = () =>
  new ApiError(
    503,
    "farcaster_not_configured",
    "Farcaster linking is not configured on this server (FARCASTER_RPC_URL)",
  );

const used = () => refuse("farcaster_message_used", "this Farcaster sign-in was already used: sign in again");

/** A SIWF message is accepted only within AUTHOR_CHALLENGE_TTL_SECONDS of its `Issued At`. */
function checkRecent(s: AuthorServices, issuedAt: Date | undefined): void {
  const now = s.now().getTime();
  const issued = issuedAt?.getTime();
  const maxAge = s.config.AUTHOR_CHALLENGE_TTL_SECONDS * 1000;
  if (issued === undefined || Number.isNaN(issued) || now - issued > maxAge || issued > now + CLOCK_SKEW_MS) {
    throw refuse("farcaster_message_expired", "the Farcaster sign-in is too old (or not yet valid): sign in again");
  }
}

/** The username, normalised, once the fname registry confirms the fid owns it. */
async function checkUsername(s: AuthorServices, p: FarcasterLinkParameters): Promise<string> {
  const name = p.username.trim().replace(/^@/, "").toLowerCase();
  if (!FNAME.test(name)) {
    throw refuse("invalid_username", `"${p.username}" is not a Farcaster username (fname); only fnames can be linked`);
  }
  const owner = await fnameOwner(s, name);
  if (owner === undefined) throw refuse("unknown_username", `the Farcaster username "${name}" is not registered`);
  if (owner !== p.fid)
    throw refuse("username_not_owned", `the Farcaster username "${name}" belongs to fid ${owner}, not ${p.fid}`);
  return name;
}
