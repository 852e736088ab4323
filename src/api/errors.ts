/**
 * One error shape for the indexer's JSON routes: `{ "error": { "code", "message" } }`. Validation
 * failures are 400s that name the bad parameter; anything unexpected is a 500 without internals.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Parses `input` with `schema`, throwing a 400 `invalid_request` that lists every problem. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const message = result.error.issues.map((i) => `${i.path.join(".") || "request"}: ${i.message}`).join("; ");
  throw new ApiError(400, "invalid_request", message);
}

/** Hono `onError` for the JSON routes. */
export function onError(error: Error, c: Context) {
  if (error instanceof ApiError) return c.json({ error: { code: error.code, message: error.message } }, error.status);
  if (error instanceof HTTPException) {
    return c.json({ error: { code: "http_error", message: error.message } }, error.status as ContentfulStatusCode);
  }
  console.error("indexer api error", error);
  return c.json({ error: { code: "internal", message: "Internal server error" } }, 500);
}
