/**
 * The one JSON error shape of both HTTP apps, the pipeline's operations API and the indexer's routes:
 * every error is `{ "error": { "code", "message" } }`, validation errors are 400 `invalid_request`
 * naming the bad field, and anything unexpected is a 500 `internal` whose details go to the log only.
 */
import type { Context as HonoContext } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ZodError } from "zod";
import type { Logger } from "./logger";

/** An error with a status and a stable code that is safe to show to the caller. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const errorBody = (code: string, message: string) => ({ error: { code, message } });

/** Names each bad field (`request` for the whole input), at most ten, so a 400 says what to fix. */
export function describeZodError(error: ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((i) => `${i.path.join(".") || "request"}: ${i.message}`)
    .join("; ");
}

/** An app's single `onError`: maps what is known to a status and hides everything else. */
export function jsonErrorHandler(logger: Pick<Logger, "error">) {
  return (error: Error, c: HonoContext) => {
    if (error instanceof ZodError) return c.json(errorBody("invalid_request", describeZodError(error)), 400);
    if (error instanceof ApiError) return c.json(errorBody(error.code, error.message), error.status);
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode;
      const code = status === 401 ? "unauthorized" : status === 504 ? "timeout" : "http_error";
      return c.json(errorBody(code, error.message || "request failed"), status);
    }
    logger.error({ err: error, method: c.req.method, path: c.req.path }, "unhandled API error");
    return c.json(errorBody("internal", "internal error"), 500);
  };
}
