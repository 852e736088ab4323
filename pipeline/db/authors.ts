/** Prompt authors and their prompts. Addresses are stored lowercase. */
import type { Db } from "./database";
import type { Author } from "./schema";

export async function getAuthor(db: Db, address: string): Promise<Author | undefined> {
  return db.selectFrom("authors").selectAll().where("address", "=", address.toLowerCase()).executeTakeFirst();
}

/** Creates or replaces an author's prompt. The caller validates the prompt. */
export async function setAuthorPrompt(
  db: Db,
  { address, prompt }: { address: string; prompt: string },
): Promise<Author> {
  const now = new Date();
  return db
    .insertInto("authors")
    .values({ address: address.toLowerCase(), prompt, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column("address").doUpdateSet({ prompt, updated_at: now }))
    .returningAll()
    .executeTakeFirstOrThrow();
}
