import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("authors")
    .addColumn("address", "text", (c) => c.primaryKey())
    .addColumn("prompt", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable("tokens")
    .addColumn("chain_id", "integer", (c) => c.notNull())
    .addColumn("token_id", sql`numeric(78,0)`, (c) => c.notNull())
    .addColumn("mint_tx_hash", "text", (c) => c.notNull())
    .addColumn("mint_block_number", "bigint", (c) => c.notNull())
    .addColumn("minter", "text", (c) => c.notNull())
    .addColumn("author", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("status_reason", "text")
    .addColumn("prompt_hash", "text")
    .addColumn("image_provider", "text")
    .addColumn("prediction_id", "text")
    .addColumn("prompt_kind", "text")
    .addColumn("image_cid", "text")
    .addColumn("image_mime", "text")
    .addColumn("image_size", "integer")
    .addColumn("metadata_cid", "text")
    .addColumn("generate_attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("generate_error", "text")
    .addColumn("pin_attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("pin_error", "text")
    .addColumn("reveal_attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("reveal_error", "text")
    .addColumn("reveal_tx_id", "integer")
    .addColumn("reveal_tx_hash", "text")
    .addColumn("reveal_block_number", "bigint")
    .addColumn("ready_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("tokens_pk", ["chain_id", "token_id"])
    .addCheckConstraint(
      "tokens_status_check",
      sql`status in ('detected','generating','generated','uploaded','revealing','revealed','failed')`,
    )
    .execute();
  await db.schema.createIndex("tokens_status_idx").on("tokens").columns(["status", "ready_at"]).execute();
  await db.schema.createIndex("tokens_author_idx").on("tokens").column("author").execute();

  await db.schema
    .createTable("token_events")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("chain_id", "integer", (c) => c.notNull())
    .addColumn("token_id", sql`numeric(78,0)`, (c) => c.notNull())
    .addColumn("mint_tx_hash", "text", (c) => c.notNull())
    .addColumn("from_status", "text")
    .addColumn("to_status", "text", (c) => c.notNull())
    .addColumn("stage", "text", (c) => c.notNull())
    .addColumn("attempt", "integer")
    .addColumn("reason", "text")
    .addColumn("job_id", "text")
    .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex("token_events_token_idx")
    .on("token_events")
    .columns(["chain_id", "token_id", "id"])
    .execute();

  await db.schema
    .createTable("reveal_transactions")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("chain_id", "integer", (c) => c.notNull())
    .addColumn("keeper", "text", (c) => c.notNull())
    .addColumn("nonce", "integer", (c) => c.notNull())
    .addColumn("token_ids", sql`text[]`, (c) => c.notNull())
    .addColumn("uris", sql`text[]`, (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("hashes", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn("max_fee_per_gas", "text", (c) => c.notNull())
    .addColumn("max_priority_fee_per_gas", "text", (c) => c.notNull())
    .addColumn("gas_limit", "text", (c) => c.notNull())
    .addColumn("mined_hash", "text")
    .addColumn("block_number", "bigint")
    .addColumn("gas_used", "text")
    .addColumn("effective_gas_price", "text")
    .addColumn("error", "text")
    .addColumn("broadcast_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // One live transaction per keeper nonce: the durable single-flight guard of invariant 5.
  await sql`create unique index reveal_transactions_pending_nonce on pipeline.reveal_transactions (chain_id, keeper, nonce) where status = 'pending'`.execute(
    db,
  );
  await db.schema.createIndex("reveal_transactions_status_idx").on("reveal_transactions").column("status").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["reveal_transactions", "token_events", "tokens", "authors"]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
