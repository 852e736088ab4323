/**
 * Request and response shapes of the public author API, field for field what the GLISK web client
 * sends and reads (snake_case), with the challenge route beside them. Shared by validation and the
 * OpenAPI document.
 */
import { z } from "@hono/zod-openapi";
import { getAddress, type Hex, isAddress } from "viem";
import { AUTHOR_ACTIONS } from "../../authors/messages";
import { validatePrompt } from "../../generate/prompt";

const WALLET_EXAMPLE = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

/** Any-case address (the signature, not a checksum, proves ownership); answered checksummed. */
const walletAddress = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), "not an Ethereum address (0x + 40 hex digits)")
  .transform((v) => getAddress(v))
  .openapi({ example: WALLET_EXAMPLE });

/** Hex of any length (65 bytes for an EOA, longer for ERC-1271 / ERC-6492), `0x` optional. */
const signature = z
  .string()
  .regex(/^(0x)?([0-9a-fA-F]{2})+$/, "a hex signature")
  .transform((v) => (v.startsWith("0x") ? v : `0x${v}`) as Hex)
  .openapi({ description: "EIP-191 signature of `message` by the wallet, hex" });

const signedMessage = z.string().min(1).max(4_000);

/**
 * A prompt by the generate stage's rules: `prompt` is what is stored (trimmed), `sent` the text exactly
 * as sent, which is what a challenge's sha256 commits to.
 */
const promptText = z
  .string()
  .transform((sent, ctx) => {
    const check = validatePrompt(sent);
    if (check.ok) return { sent, prompt: check.prompt };
    ctx.addIssue({ code: "custom", message: check.reason });
    return z.NEVER;
  })
  .openapi({ description: "1 to 1000 characters (after trimming), no control characters; never returned" });

export const WalletParams = z.object({
  wallet: z.string().max(200).openapi({ description: "Wallet address, any case", example: WALLET_EXAMPLE }),
});

export const ChallengeRequest = z
  .object({
    wallet_address: walletAddress,
    action: z.enum(AUTHOR_ACTIONS),
    prompt_text: promptText.optional().openapi({ description: "Required for `prompt`: the exact text to set" }),
  })
  .refine((b) => b.action !== "prompt" || b.prompt_text !== undefined, {
    when: (payload) => payload.issues.length === 0,
    path: ["prompt_text"],
    message: "required when action is prompt",
  })
  .openapi("ChallengeRequest");

export const ChallengeResponse = z
  .object({
    message: z.string().openapi({ description: "EIP-4361 message: have the wallet sign it exactly" }),
    expires_at: z.string().openapi({ description: "ISO 8601; the challenge is refused after this" }),
  })
  .openapi("Challenge");

export const PromptRequest = z
  .object({ wallet_address: walletAddress, prompt_text: promptText, message: signedMessage, signature })
  .openapi("PromptRequest");

export const PromptResponse = z
  .object({ success: z.literal(true), has_prompt: z.literal(true) })
  .openapi("PromptStored");

export const XStartRequest = z
  .object({ wallet_address: walletAddress, message: signedMessage, signature })
  .openapi("XStartRequest");

export const XStartResponse = z.object({ authorization_url: z.url() }).openapi("XAuthorization");

export const XCallbackQuery = z.object({
  code: z.string().max(2_000).optional(),
  state: z.string().max(200).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(2_000).optional(),
});

export const FarcasterLinkRequest = z
  .object({
    wallet_address: walletAddress,
    wallet_message: signedMessage,
    wallet_signature: signature,
    farcaster_message: signedMessage,
    farcaster_signature: signature,
    fid: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    username: z.string().min(1).max(255),
  })
  .openapi("FarcasterLinkRequest");

export const FarcasterLinkResponse = z
  .object({ success: z.literal(true), username: z.string(), fid: z.number().int() })
  .openapi("FarcasterLinked");

export const AuthorStatus = z
  .object({ has_prompt: z.boolean(), twitter_handle: z.string().nullable(), farcaster_handle: z.string().nullable() })
  .openapi("AuthorStatus");

export const Leaderboard = z
  .array(z.object({ author_address: z.string(), total_tokens: z.number().int() }))
  .openapi("Leaderboard");

export const CLIENT_STATUSES = ["detected", "generating", "uploading", "ready", "revealed", "failed"] as const;

export const TokenDto = z
  .object({
    token_id: z.number().int(),
    status: z.enum(CLIENT_STATUSES),
    image_cid: z.string().nullable(),
    metadata_cid: z.string().nullable(),
    image_url: z.string().nullable().openapi({ description: "Gateway URL of the image once pinned" }),
    generation_attempts: z.number().int(),
    generation_error: z.string().nullable(),
    reveal_tx_hash: z.string().nullable(),
    created_at: z.string().openapi({ description: "ISO 8601" }),
  })
  .openapi("AuthorToken");

const count = (fallback: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, "a whole number")
    .optional()
    .transform((v) => (v === undefined ? fallback : Number(v)))
    .pipe(z.number().max(max));

export const TokensQuery = z.object({
  offset: count(0, 1_000_000_000).openapi({ description: "Tokens to skip (default 0)" }),
  limit: count(20, 100)
    .pipe(z.number().min(1, "at least 1"))
    .openapi({ description: "Page size, 1 to 100 (default 20)" }),
});

export const TokensPage = z
  .object({ tokens: z.array(TokenDto), total: z.number().int(), offset: z.number().int(), limit: z.number().int() })
  .openapi("AuthorTokens");
