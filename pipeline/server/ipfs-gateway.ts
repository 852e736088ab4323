/**
 * Read-only gateway for the local IPFS store: `GET /ipfs/:cid`, unauthenticated like any public
 * gateway. Content never changes under a CID, so responses are cacheable forever.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { ApiError } from "../../common/http-errors";
import type { Context } from "../context";
import { normalizeCid, readIpfsObject } from "../providers/local-ipfs-store";
import { errorResponses } from "./responses";

const IMMUTABLE = "public, max-age=31536000, immutable";

const object = createRoute({
  method: "get",
  path: "/{cid}",
  tags: ["ipfs"],
  summary: "An object of the local IPFS store (immutable)",
  request: { params: z.object({ cid: z.string().openapi({ description: "CIDv0 or CIDv1" }) }) },
  responses: {
    200: { description: "the bytes", content: { "application/octet-stream": { schema: z.string() } } },
    304: { description: "not modified (If-None-Match)" },
    ...errorResponses(400, 404),
  },
});

/** The gateway route; `ctx` is read only while serving. */
export function ipfsRoutes(ctx: Context) {
  return new OpenAPIHono().openapi(object, async (c) => {
    const cid = normalizeCid(c.req.valid("param").cid);
    if (!cid) throw new ApiError(400, "invalid_cid", "not a valid CID");
    const etag = `"${cid}"`;
    const object = await readIpfsObject(ctx.config.IPFS_DATA_DIR, cid);
    if (!object) throw new ApiError(404, "unknown_cid", `no object ${cid} in the local store`);
    c.header("Cache-Control", IMMUTABLE);
    c.header("ETag", etag);
    c.header("X-Ipfs-Path", `/ipfs/${cid}`);
    c.header("X-Content-Type-Options", "nosniff");
    if (c.req.header("if-none-match") === etag) return c.body(null, 304);
    c.header("Content-Type", object.contentType);
    c.header("Content-Length", String(object.bytes.byteLength));
    return c.body(object.bytes as Uint8Array<ArrayBuffer>);
  });
}
