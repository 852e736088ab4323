import type { Kysely } from "kysely";

/**
 * When the image was pinned by the configured IPFS provider. `image_cid` is set by the generate stage
 * as soon as the bytes are in the local store; pinning them elsewhere (Pinata) is the pin stage's
 * first step, and this column keeps a retry of that stage from pinning the image twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("tokens").addColumn("image_pinned_at", "timestamptz").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("tokens").dropColumn("image_pinned_at").execute();
}
