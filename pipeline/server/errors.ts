/**
 * How the operations server answers errors: the shared JSON shape (`common/http-errors.ts`), with the
 * web client's `detail` field added on the public author API (`/api/*`). One `onError`, one not-found
 * answer and one validation hook for every route, so every error of a path has one shape.
 */
import type { Hook } from "@hono/zod-openapi";
import type { Context as HonoContext } from "hono";
import {
  describeZodError,
  type ErrorBodyFor,
  errorBody,
  jsonErrorHandler,
  publicErrorBody,
} from "../../common/http-errors";
import type { Logger } from "../../common/logger";

/** Is this request on the public author API? */
export const isPublicApi = (c: HonoContext) => c.req.path === "/api" || c.req.path.startsWith("/api/");

/** The error body for a request: with `detail` on `/api/*`, the plain shape elsewhere. */
export const errorBodyFor: ErrorBodyFor = (c, code, message) =>
  isPublicApi(c) ? publicErrorBody(code, message) : errorBody(code, message);

/** The server's `onError`. */
export const errorHandler = (logger: Pick<Logger, "error">) => jsonErrorHandler(logger, errorBodyFor);

/** Unknown routes: 404 in the path's error shape. */
export const notFound = (c: HonoContext) => c.json(errorBodyFor(c, "not_found", "no such route"), 404);

/** Every route's request validation: 400 `invalid_request` naming each bad field. */
// biome-ignore lint/suspicious/noExplicitAny: the hook serves routes of every input and environment type
export const validationHook: Hook<any, any, any, any> = (result, c) => {
  if (!result.success) return c.json(errorBodyFor(c, "invalid_request", describeZodError(result.error)), 400);
};
