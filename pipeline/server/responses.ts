/** OpenAPI pieces every route module uses: JSON bodies and the error responses of each shape. */
import { z } from "@hono/zod-openapi";

export const ErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .openapi("Error", { description: "Every error of the operations API" });

export const PublicErrorSchema = z
  .object({
    detail: z.string().openapi({ description: "The message, where the GLISK web client reads it" }),
    error: z.object({ code: z.string(), message: z.string() }),
  })
  .openapi("PublicError", { description: "Every error of the public author API (`/api/*`)" });

const errorText: Record<number, string> = {
  400: "invalid input or a refused signature: error.code names the check that failed",
  401: "missing or wrong admin token",
  404: "unknown token, object or route",
  409: "the token is not in a state that allows this",
  413: "request body too large",
  415: "the body is not JSON",
  429: "rate limited: retry after Retry-After seconds",
  503: "a dependency is unavailable",
};

/** A JSON response of `schema`. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const errorsOf = (schema: z.ZodType, codes: number[]) =>
  Object.fromEntries(
    codes.map((code) => [
      code,
      {
        ...json(schema, errorText[code] ?? "error"),
        ...(code === 429 ? { headers: z.object({ "Retry-After": z.string() }) } : {}),
      },
    ]),
  );

/** Error responses of the operations routes. */
export const errorResponses = (...codes: number[]) => errorsOf(ErrorSchema, codes);

/** Error responses of the public author API. */
export const publicErrorResponses = (...codes: number[]) => errorsOf(PublicErrorSchema, codes);

/** A required JSON request body of `schema`. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});
