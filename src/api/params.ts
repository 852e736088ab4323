/** zod schemas for the JSON routes' path and query parameters. */
import { getAddress, isAddress } from "viem";
import { z } from "zod";

const MAX_UINT256 = 2n ** 256n - 1n;

/** A token id: a decimal uint256 without sign or leading zeros. */
export const tokenId = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,77})$/, "must be a decimal integer")
  .transform((v) => BigInt(v))
  .refine((v) => v <= MAX_UINT256, "must fit in uint256");

/** An address in any case; answered in checksum form. */
export const address = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), "must be a 0x-prefixed 20-byte hex address")
  .transform((v) => getAddress(v));

/** A page size between 1 and `max`, `fallback` when absent. */
export const limit = (fallback: number, max: number) =>
  z.coerce.number().int("must be an integer").min(1).max(max).optional().default(fallback);
