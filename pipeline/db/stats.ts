/** Figures over the whole `pipeline` schema, for /metrics. */
import { sql } from "kysely";
import type { Db } from "./database";
import type { RevealTxStatus } from "./schema";

/** Rows per status of `tokens` or `reveal_transactions`. */
export async function countByStatus(
  db: Db,
  table: "tokens" | "reveal_transactions",
): Promise<{ status: string; count: number }[]> {
  const rows = await db
    .selectFrom(table)
    .select(["status", (eb) => eb.fn.countAll<string>().as("n")])
    .groupBy("status")
    .execute();
  return rows.map((row) => ({ status: row.status, count: Number(row.n) }));
}

export type RevealSums = { gasUsed: number; feesWei: number; gasPerToken: number };

/**
 * Gas and fees of mined (and reverted, which pay too) reveal transactions, and gas per revealed token
 * over mined ones. Text columns hold exact integers, summed as numeric in SQL.
 */
export async function revealSums(db: Db): Promise<RevealSums> {
  const paying: RevealTxStatus[] = ["mined", "reverted"];
  const row = await db
    .selectFrom("reveal_transactions")
    .select([
      sql<string | null>`sum(gas_used::numeric) filter (where status in (${sql.join(paying)}))`.as("gas"),
      sql<
        string | null
      >`sum(gas_used::numeric * effective_gas_price::numeric) filter (where status in (${sql.join(paying)}))`.as(
        "fees",
      ),
      sql<
        string | null
      >`sum(gas_used::numeric) filter (where status = 'mined') / nullif(sum(cardinality(token_ids)) filter (where status = 'mined'), 0)`.as(
        "per_token",
      ),
    ])
    .executeTakeFirst();
  return { gasUsed: Number(row?.gas ?? 0), feesWei: Number(row?.fees ?? 0), gasPerToken: Number(row?.per_token ?? 0) };
}
