/**
 * HTTP error shape of the operations API: every error is `{ "error": { "code", "message" } }`,
 * validation errors are 400 and anything unexpected is a 500 without internals.
 */
import type { Context as HonoContext } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ZodError } from "zod";
import type { Logger } from "../logger";

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

function describeZod(error: ZodError): string {
  return error.issues
    .map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message))
    .slice(0, 10)
    .join("; ");
}

/** The app's single onError: maps what is known to a status and hides everything else. */
export function handleError(logger: Logger) {
  return (error: Error, c: HonoContext) => {
    if (error instanceof ZodError) return c.json(errorBody("invalid_request", describeZod(error)), 400);
    if (error instanceof ApiError) return c.json(errorBody(error.code, error.message), error.status);
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode;
      return c.json(
        errorBody(status === 401 ? "unauthorized" : "http_error", error.message || "request failed"),
        status,
      );
    }
    logger.error({ err: error, method: c.req.method, path: c.req.path }, "unhandled API error");
    return c.json(errorBody("internal", "internal error"), 500);
  };
}

/** Reads a JSON body, answering 400 when it is not JSON. */
export async function readJson(c: HonoContext): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new ApiError(400, "invalid_json", "request body must be JSON");
  }
}
