/** Reading a request's JSON body, with a 400 in the shared error shape when it is not JSON. */
import type { Context as HonoContext } from "hono";
import { ApiError } from "../../common/http-errors";

/** Reads a JSON body, answering 400 when it is not JSON. */
export async function readJson(c: HonoContext): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new ApiError(400, "invalid_json", "request body must be JSON");
  }
}
