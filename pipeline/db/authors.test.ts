import { zeroAddress } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { useDatabase } from "../../test/helpers/services";
import { openScratchDatabase } from "../../test/helpers/stages";
import { authorLeaderboard, authorTokensPage } from "./author-tokens";
import { getAuthor, linkFarcasterAccount, linkXAccount, setAuthorPrompt } from "./authors";
import type { Db } from "./database";
import { recordDetected } from "./tokens";

const database = useDatabase();
let db: Db;

beforeAll(async () => {
  db = await openScratchDatabase(database());
});
// Runs before useDatabase's own afterAll (hooks unwind in reverse), which drops the database.
afterAll(async () => db?.destroy());

const A = "0x00000000000000000000000000000000000000aa";
const B = "0x00000000000000000000000000000000000000bb";
const C = "0x00000000000000000000000000000000000000cc";

async function mintFor(author: string, ids: number[], chainId = 31337) {
  for (const id of ids) {
    await recordDetected(db, {
      chainId,
      tokenId: String(id),
      mintTxHash: `0x${id.toString(16)}`,
      mintBlockNumber: id,
      minter: C,
      author,
    });
  }
}

describe("authors", () => {
  test("a link creates an author without a prompt; re-linking replaces the handle; the prompt keeps the links", async () => {
    await linkXAccount(db, { address: A.toUpperCase().replace("0X", "0x"), handle: "first", userId: "1" });
    expect(await getAuthor(db, A)).toMatchObject({ prompt: null, x_handle: "first", x_user_id: "1" });
    await linkXAccount(db, { address: A, handle: "second", userId: "2" });
    await linkFarcasterAccount(db, { address: A, handle: "alice", fid: 42 });
    await setAuthorPrompt(db, { address: A, prompt: "a prompt" });
    expect(await getAuthor(db, A)).toMatchObject({
      prompt: "a prompt",
      x_handle: "second",
      x_user_id: "2",
      farcaster_handle: "alice",
      farcaster_fid: 42,
    });
  });

  test("the leaderboard counts tokens per author on this chain, most first, then by address, without the zero address", async () => {
    await mintFor(B, [101, 102, 103]);
    await mintFor(A, [104, 105, 106]);
    await mintFor(C, [107]);
    await mintFor(zeroAddress, [108, 109, 110, 111]);
    await mintFor(C, [112, 113, 114, 115, 116], 8453);
    expect(await authorLeaderboard(db, { chainId: 31337, limit: 50 })).toEqual([
      { author: A, tokens: 3 },
      { author: B, tokens: 3 },
      { author: C, tokens: 1 },
    ]);
    expect(await authorLeaderboard(db, { chainId: 31337, limit: 1 })).toHaveLength(1);
  });

  test("an author's tokens page newest id first, with the total of all pages, by any-case address", async () => {
    const page = await authorTokensPage(db, {
      chainId: 31337,
      author: A.toUpperCase().replace("0X", "0x"),
      offset: 1,
      limit: 1,
    });
    expect(page.total).toBe(3);
    expect(page.tokens.map((t) => t.token_id)).toEqual(["105"]);
    const beyond = await authorTokensPage(db, { chainId: 31337, author: A, offset: 10, limit: 5 });
    expect(beyond).toEqual({ tokens: [], total: 3 });
  });
});
