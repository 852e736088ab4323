/**
 * Errors of the indexer's JSON routes, in the pipeline's shape (`pipeline/http-errors.ts`):
 * `{ "error": { "code", "message" } }`, 400 `invalid_request` naming the bad parameter (a thrown ZodError),
 * 500 without internals.
 */
import { ApiError, jsonErrorHandler } from "../../common/http-errors";
import { logger } from "../../indexer/logger";

export { ApiError };

/** Hono `onError` for the JSON routes. */
export const onError = jsonErrorHandler(logger);
