/**
 * The one JSON error shape of both HTTP apps, the pipeline's operations API and the indexer's routes:
 * every error is `{ "error": { "code", "message" } }`, validation errors are 400 `invalid_request`
 * naming the bad field, and anything unexpected is a 500 `internal` whose details go to the log only.
 * The public author API adds the web client's `detail` field (`publicErrorBody`).
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
    /** Response headers the answer must carry (Retry-After on a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const errorBody = (code: string, message: string) => ({ error: { code, message } });

/** The shape of the public author API: ours plus `detail`, the field the GLISK web client shows. */
export const publicErrorBody = (code: string, message: string) => ({ detail: message, error: { code, message } });

/** Builds an error body for a request: `errorBody`, or a variant chosen by path. */
export type ErrorBodyFor = (c: HonoContext, code: string, message: string) => unknown;

/** Names each bad field (`request` for the whole input), at most ten, so a 400 says what to fix. */
export function describeZodError(error: ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((i) => `${i.path.join(".") || "request"}: ${i.message}`)
    .join("; ");
}

/** Hono's own exceptions (malformed JSON, wrong content type, …) as a code and a message. */
function httpExceptionError(error: HTTPException): [ContentfulStatusCode, string, string] {
  const status = error.status as ContentfulStatusCode;
  if (status === 401) return [status, "unauthorized", error.message || "unauthorized"];
  if (status === 415)
    return [status, "unsupported_media_type", "send the body as JSON (Content-Type: application/json)"];
  if (status === 400) return [status, "invalid_request", error.message || "bad request"];
  if (status === 504) return [status, "timeout", error.message || "the request took too long"];
  return [status, "http_error", error.message || "request failed"];
}

/** An app's single `onError`: maps what is known to a status and hides everything else. */
export function jsonErrorHandler(
  logger: Pick<Logger, "error">,
  bodyFor: ErrorBodyFor = (_, code, m) => errorBody(code, m),
) {
  return (error: Error, c: HonoContext) => {
    if (error instanceof ZodError) return c.json(bodyFor(c, "invalid_request", describeZodError(error)), 400);
    if (error instanceof ApiError) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      return c.json(bodyFor(c, error.code, error.message), error.status);
    }
    if (error instanceof HTTPException) {
      const [status, code, message] = httpExceptionError(error);
      return c.json(bodyFor(c, code, message), status);
    }
    logger.error({ err: error, method: c.req.method, path: c.req.path }, "unhandled API error");
    return c.json(bodyFor(c, "internal", "internal error"), 500);
  };
}
