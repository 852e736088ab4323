/** `GET /tokens/:id`: one token's mint, owner and reveal. */

import { db } from "ponder:api";
import { token } from "ponder:schema";
import { Hono } from "hono";
import { eq } from "ponder";
import { z } from "zod";
import { ApiError } from "./errors";
import { tokenId } from "./params";
import { tokenJson } from "./serialize";

export const tokens = new Hono().get("/:id", async (c) => {
  const { id } = z.object({ id: tokenId }).parse(c.req.param());
  const [row] = await db.select().from(token).where(eq(token.id, id)).limit(1);
  if (!row) throw new ApiError(404, "not_found", `token ${id} has not been minted (or is not indexed yet)`);
  return c.json(tokenJson(row));
});
