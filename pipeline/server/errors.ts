/** HTTP errors of the operations API: the shared JSON error shape (`../http-errors`) and body parsing. */
import type { Context as HonoContext } from "hono";
import { ApiError } from "../../common/http-errors";

export { ApiError, errorBody, jsonErrorHandler as handleError } from "../../common/http-errors";

/** Reads a JSON body, answering 400 when it is not JSON. */
export async function readJson(c: HonoContext): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new ApiError(400, "invalid_json", "request body must be JSON");
  }
}
