import type { Kysely } from "kysely";

/**
 * Author self-service: an author row can exist before its prompt (linking X or Farcaster first), and
 * carries the linked handles. A token keeps the handles its author had when its image was made, so
 * its metadata is built from the token's own row and pins to the same bytes on every attempt.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("authors")
    .alterColumn("prompt", (c) => c.dropNotNull())
    .execute();
  await db.schema
    .alterTable("authors")
    .addColumn("x_handle", "text")
    .addColumn("x_user_id", "text")
    .addColumn("x_linked_at", "timestamptz")
    .addColumn("farcaster_handle", "text")
    .addColumn("farcaster_fid", "bigint")
    .addColumn("farcaster_linked_at", "timestamptz")
    .execute();
  await db.schema
    .alterTable("tokens")
    .addColumn("author_x_handle", "text")
    .addColumn("author_farcaster_handle", "text")
    .execute();
  // The leaderboard and an author's token pages group and sort by author within one chain.
  await db.schema
    .createIndex("tokens_chain_author_idx")
    .on("tokens")
    .columns(["chain_id", "author", "token_id"])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not today's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("tokens_chain_author_idx").ifExists().execute();
  await db.schema.alterTable("tokens").dropColumn("author_x_handle").dropColumn("author_farcaster_handle").execute();
  await db.schema
    .alterTable("authors")
    .dropColumn("x_handle")
    .dropColumn("x_user_id")
    .dropColumn("x_linked_at")
    .dropColumn("farcaster_handle")
    .dropColumn("farcaster_fid")
    .dropColumn("farcaster_linked_at")
    .execute();
  await db.deleteFrom("authors").where("prompt", "is", null).execute();
  await db.schema
    .alterTable("authors")
    .alterColumn("prompt", (c) => c.setNotNull())
    .execute();
}
