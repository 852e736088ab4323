/** Request shapes of the operations API, shared by the routes and the OpenAPI document. */
import { getAddress, isAddress } from "viem";
import { z } from "zod";
import { tokenStatuses } from "../db/schema";
import { validatePrompt } from "../generate/prompt";

export const tokenIdSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,76}$/, "a token id is a positive decimal integer")
  .describe("Token id (decimal)");

export const tokenIdParams = z.object({ id: tokenIdSchema });

export const addressSchema = z
  .string()
  // Mixed case carries an EIP-55 checksum: a wrong one is a typo, and the prompt would go to a stranger.
  .refine((v) => isAddress(v, { strict: false }), { message: "not an Ethereum address", abort: true })
  .refine((v) => isAddress(v, { strict: true }), "address checksum is wrong (mistyped?); or give it in lowercase")
  .transform((v) => getAddress(v))
  .describe("Ethereum address (0x + 40 hex digits)");

/** A prompt, checked and trimmed by the same rules the generate stage applies. */
const promptSchema = z.string().transform((raw, ctx) => {
  const check = validatePrompt(raw);
  if (check.ok) return check.prompt;
  ctx.addIssue({ code: "custom", message: check.reason });
  return z.NEVER;
});

export const authorBody = z.object({ prompt: promptSchema }).strict();

export const revealBody = z
  .object({
    tokenIds: z
      .array(z.union([tokenIdSchema, z.number().int().positive().max(Number.MAX_SAFE_INTEGER)]))
      .min(1, "give at least one token id")
      .max(1000, "at most 1000 token ids per request")
      .transform((ids) => [...new Set(ids.map(String))]),
  })
  .strict();

export const listQuery = z.object({
  status: z.enum(tokenStatuses).optional(),
  cursor: tokenIdSchema.optional().describe("Return tokens after this id (the previous page's nextCursor)"),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
