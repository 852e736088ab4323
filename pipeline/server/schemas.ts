/** Request shapes of the operations API, shared by the routes and the OpenAPI document. */
import { getAddress, isAddress } from "viem";
import { z } from "zod";
import { tokenStatuses } from "../db/schema";

/** Longest prompt accepted, the same limit the generate stage enforces. */
export const MAX_PROMPT_LENGTH = 1000;
// Unicode Cc (C0, DEL, C1; tab and newline too): a prompt is one line of text for the image model.
const CONTROL = /\p{Cc}/u;

export const tokenIdSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,76}$/, "a token id is a positive decimal integer")
  .describe("Token id (decimal)");

export const tokenIdParams = z.object({ id: tokenIdSchema });

export const addressSchema = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), "not an Ethereum address")
  .transform((v) => getAddress(v))
  .describe("Ethereum address (0x + 40 hex digits)");

export const promptSchema = z
  .string()
  .transform((v) => v.trim())
  .pipe(
    z
      .string()
      .min(1, "prompt must not be empty")
      .max(MAX_PROMPT_LENGTH, `prompt must be at most ${MAX_PROMPT_LENGTH} characters`)
      .refine((v) => !CONTROL.test(v), "prompt must not contain control characters"),
  );

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
