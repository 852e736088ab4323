/** A pipeline token as the web client reads it: its status vocabulary, numbers and ISO dates. */
import type { z } from "@hono/zod-openapi";
import type { Token, TokenStatus } from "../../db/schema";
import type { CLIENT_STATUSES, TokenDto } from "./schemas";

type ClientStatus = (typeof CLIENT_STATUSES)[number];

/** Our lifecycle in the client's words: an image made is still "uploading", a pinned one "ready" until revealed. */
const CLIENT_STATUS: Record<TokenStatus, ClientStatus> = {
  detected: "detected",
  generating: "generating",
  generated: "uploading",
  uploaded: "ready",
  revealing: "ready",
  revealed: "revealed",
  failed: "failed",
};

/** `token` for the client; `gateway` is the IPFS gateway prefix of `image_url` (ending in `/`). */
export function tokenDto(token: Token, gateway: string): z.infer<typeof TokenDto> {
  const pinned = token.image_cid && token.image_pinned_at ? token.image_cid : null;
  return {
    token_id: Number(token.token_id),
    status: CLIENT_STATUS[token.status],
    image_cid: pinned,
    metadata_cid: token.metadata_cid,
    image_url: pinned ? `${gateway}${pinned}` : null,
    generation_attempts: token.generate_attempts,
    generation_error: token.generate_error,
    reveal_tx_hash: token.reveal_tx_hash,
    created_at: new Date(token.created_at).toISOString(),
  };
}
