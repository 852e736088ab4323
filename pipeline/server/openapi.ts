/** GET /openapi.json: an OpenAPI 3.1 description of the operations API, schemas derived from the zod validators. */
import { Hono } from "hono";
import { z } from "zod";
import { tokenStatuses } from "../db/schema";
import { addressSchema, authorBody, revealBody, tokenIdSchema } from "./schemas";

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
const errorRef = { $ref: "#/components/schemas/Error" };
const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((code) => [
      String(code),
      { description: errorText[code] ?? "error", content: { "application/json": { schema: errorRef } } },
    ]),
  );
const errorText: Record<number, string> = {
  400: "invalid input",
  401: "missing or wrong admin token",
  404: "unknown token or object",
  409: "the token is not in a state that allows this",
  503: "a dependency is unavailable",
};
const ok = (description: string, type = "application/json") => ({
  description,
  content: { [type]: { schema: { type: "object" } } },
});
const tokenIdParam = { name: "id", in: "path", required: true, schema: json(tokenIdSchema) };
const admin = { security: [{ bearer: [] }] };

/** The OpenAPI document for `serverUrl`. */
export function openApiDocument(serverUrl?: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "GLISK pipeline operations API",
      version: "1.0.0",
      description: "Health, metrics, the local IPFS gateway and the admin API (Bearer ADMIN_API_TOKEN).",
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["code", "message"],
              properties: { code: { type: "string" }, message: { type: "string" } },
            },
          },
        },
      },
    },
    paths: {
      "/health": { get: { summary: "Liveness", responses: { 200: ok("the process is up") } } },
      "/health/ready": {
        get: { summary: "Database, Redis and RPC reachable", responses: { 200: ok("ready"), ...errors(503) } },
      },
      "/health/indexer": {
        get: { summary: "Indexed block vs chain head", responses: { 200: ok("indexer status"), ...errors(503) } },
      },
      "/health/workers": {
        get: { summary: "Job counts per queue and state", responses: { 200: ok("queues"), ...errors(503) } },
      },
      "/health/keeper": {
        get: { summary: "Keeper address, balance and role", responses: { 200: ok("keeper"), ...errors(503) } },
      },
      "/metrics": { get: { summary: "Prometheus metrics", responses: { 200: ok("metrics", "text/plain") } } },
      "/ipfs/{cid}": {
        get: {
          summary: "An object of the local IPFS store (immutable)",
          parameters: [{ name: "cid", in: "path", required: true, schema: { type: "string" } }],
          responses: { 200: ok("the bytes", "application/octet-stream"), ...errors(400, 404) },
        },
      },
      "/admin/reveal": {
        post: {
          ...admin,
          summary: "Reveal these tokens now (through the single-flight reveal queue)",
          requestBody: { required: true, content: { "application/json": { schema: json(revealBody) } } },
          responses: { 202: ok("reveal requested"), ...errors(400, 401, 404) },
        },
      },
      "/admin/tokens": {
        get: {
          ...admin,
          summary: "Tokens known to the pipeline, by id, paginated",
          parameters: [
            { name: "status", in: "query", schema: { type: "string", enum: [...tokenStatuses] } },
            { name: "cursor", in: "query", schema: json(tokenIdSchema) },
            { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 500, default: 50 } },
          ],
          responses: { 200: ok("a page of tokens and nextCursor"), ...errors(400, 401) },
        },
      },
      "/admin/tokens/{id}": {
        get: {
          ...admin,
          summary: "Chain state, pipeline state and full history of a token",
          parameters: [tokenIdParam],
          responses: { 200: ok("the token"), ...errors(400, 401, 404) },
        },
      },
      "/admin/tokens/{id}/retry": {
        post: {
          ...admin,
          summary: "Send a failed token back to the start of the pipeline",
          parameters: [tokenIdParam],
          responses: { 202: ok("retry queued"), ...errors(400, 401, 404, 409) },
        },
      },
      "/admin/authors/{address}": {
        put: {
          ...admin,
          summary: "Set a prompt author's prompt",
          parameters: [{ name: "address", in: "path", required: true, schema: json(addressSchema) }],
          requestBody: { required: true, content: { "application/json": { schema: json(authorBody) } } },
          responses: { 200: ok("stored"), ...errors(400, 401) },
        },
      },
      "/admin/system": {
        get: {
          ...admin,
          summary: "Configuration without secrets, versions, queues, keeper",
          responses: { 200: ok("summary"), ...errors(401) },
        },
      },
      "/admin/queues": {
        get: {
          ...admin,
          summary: "Bull Board (browser: HTTP Basic with the token as password)",
          responses: { 200: ok("HTML", "text/html"), ...errors(401) },
        },
      },
    },
  };
}

export function openApiRoutes() {
  return new Hono().get("/", (c) => c.json(openApiDocument(new URL(c.req.url).origin)));
}
