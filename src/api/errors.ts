/**
 * Errors of the indexer's JSON routes, in the pipeline's shape (`pipeline/http-errors.ts`):
 * `{ "error": { "code", "message" } }`, 400 `invalid_request` naming the bad parameter, 500 without internals.
 */
import type { z } from "zod";
import { ApiError, describeZodError, jsonErrorHandler } from "../../pipeline/http-errors";
import { logger } from "../logger";

export { ApiError };

/** Parses `input` with `schema`, throwing a 400 `invalid_request` that lists every problem. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ApiError(400, "invalid_request", describeZodError(result.error));
}

/** Hono `onError` for the JSON routes. */
export const onError = jsonErrorHandler(logger);
