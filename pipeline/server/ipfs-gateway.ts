/**
 * Read-only gateway for the local IPFS store: `GET /ipfs/:cid`, unauthenticated like any public
 * gateway. Content never changes under a CID, so responses are cacheable forever.
 */
import { Hono } from "hono";
import { ApiError } from "../../common/http-errors";
import type { Context } from "../context";
import { normalizeCid, readIpfsObject } from "../providers/local-ipfs-store";

const IMMUTABLE = "public, max-age=31536000, immutable";

export function ipfsRoutes(ctx: Context) {
  return new Hono().get("/:cid", async (c) => {
    const raw = c.req.param("cid");
    const cid = normalizeCid(raw);
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
