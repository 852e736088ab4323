import { type Kysely, sql } from "kysely";

/**
 * The deployment (chain and GliskNFT address) this database serves: one row, written by the first
 * pipeline that starts on it (db/deployment.ts). Token ids repeat across contracts, so a database
 * that held another contract's tokens would skip the new contract's token 1 as done; a pipeline
 * configured for another deployment refuses to start instead.
 *
 * `token_events.to_status` becomes nullable: a skipped job is recorded in the token's history with
 * no status to move to, since it moved the token nowhere.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("deployment")
    .addColumn("id", "boolean", (c) => c.primaryKey().defaultTo(true))
    .addColumn("chain_id", "integer", (c) => c.notNull())
    .addColumn("contract", "text", (c) => c.notNull())
    .addColumn("claimed_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("deployment_one_row", sql`id`)
    .execute();
  await db.schema
    .alterTable("token_events")
    .alterColumn("to_status", (c) => c.dropNotNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from pipeline.token_events where to_status is null`.execute(db);
  await db.schema
    .alterTable("token_events")
    .alterColumn("to_status", (c) => c.setNotNull())
    .execute();
  await db.schema.dropTable("deployment").execute();
}
