/**
 * Prompt authors: their prompts (write-only outside the pipeline) and linked X and Farcaster
 * accounts. Addresses are stored lowercase. A link creates the author's row when there is none yet.
 */
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

type AuthorLink =
  | { x_handle: string; x_user_id: string; x_linked_at: Date }
  | { farcaster_handle: string; farcaster_fid: number; farcaster_linked_at: Date };

async function upsertLink(db: Db, address: string, link: AuthorLink): Promise<Author> {
  const now = new Date();
  return db
    .insertInto("authors")
    .values({ address: address.toLowerCase(), prompt: null, ...link, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column("address").doUpdateSet({ ...link, updated_at: now }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Links (or re-links, replacing the handle) an X account to an author. */
export async function linkXAccount(db: Db, p: { address: string; handle: string; userId: string }): Promise<Author> {
  return upsertLink(db, p.address, { x_handle: p.handle, x_user_id: p.userId, x_linked_at: new Date() });
}

/** Links (or re-links, replacing the handle) a Farcaster account to an author. */
export async function linkFarcasterAccount(
  db: Db,
  p: { address: string; handle: string; fid: number },
): Promise<Author> {
  return upsertLink(db, p.address, {
    farcaster_handle: p.handle,
    farcaster_fid: p.fid,
    farcaster_linked_at: new Date(),
  });
}
