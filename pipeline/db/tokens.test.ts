import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { useDatabase } from "../../test/helpers/services";
import { openScratchDatabase } from "../../test/helpers/stages";
import { getAuthor, setAuthorPrompt } from "./authors";
import { type Db, migrate } from "./database";
import { getToken, tokenHistory } from "./token-queries";
import { recordDetected, transition } from "./tokens";

const database = useDatabase();
let db: Db;

beforeAll(async () => {
  db = await openScratchDatabase(database());
});
// Runs before useDatabase's own afterAll (hooks unwind in reverse), which drops the database.
afterAll(async () => db?.destroy());

const mintA = { chainId: 31337, tokenId: "7", mintTxHash: "0xaaa", mintBlockNumber: 10, minter: "0xM", author: "0xA" };

describe("pipeline database", () => {
  test("migrating twice is a no-op", async () => {
    await migrate(db);
    await migrate(db);
  });

  test("records a detected token once per mint and keeps a history of transitions", async () => {
    expect((await recordDetected(db, mintA)).created).toBe(true);
    expect((await recordDetected(db, mintA)).created).toBe(false);
    const moved = await transition(db, {
      ...mintA,
      from: ["detected"],
      to: "generating",
      stage: "generate",
      attempt: 1,
    });
    expect(moved?.status).toBe("generating");
    const refused = await transition(db, { ...mintA, from: ["detected"], to: "generating", stage: "generate" });
    expect(refused).toBeUndefined();
    const history = await tokenHistory(db, mintA);
    expect(history.map((e) => [e.from_status, e.to_status])).toEqual([
      [null, "detected"],
      ["detected", "generating"],
    ]);
  });

  test("a re-mint of the same id after a reorg resets the token for the new mint", async () => {
    const mintB = { ...mintA, mintTxHash: "0xbbb", author: "0xB" };
    const { created, token } = await recordDetected(db, mintB);
    expect(created).toBe(true);
    expect(token.status).toBe("detected");
    expect(token.author).toBe("0xb");
    const stale = await transition(db, {
      ...mintA,
      mintTxHash: mintA.mintTxHash,
      from: ["detected"],
      to: "generating",
      stage: "generate",
    });
    expect(stale).toBeUndefined();
    expect((await getToken(db, mintA))?.mint_tx_hash).toBe("0xbbb");
  });

  test("two concurrent moves of one token from the same status: one wins, one history entry", async () => {
    const key = { ...mintA, tokenId: "8", mintTxHash: "0xccc" };
    await recordDetected(db, key);
    const move = () => transition(db, { ...key, from: ["detected"], to: "generating", stage: "generate" });
    const results = await Promise.all([move(), move(), move()]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const history = await tokenHistory(db, key);
    expect(history.map((e) => [e.from_status, e.to_status])).toEqual([
      [null, "detected"],
      ["detected", "generating"],
    ]);
  });

  test.skipIf(!process.env.TEST_DATABASE_URL)(
    "a move that waited for another transaction's lock records the status that transaction left (Postgres)",
    async () => {
      const key = { ...mintA, tokenId: "9", mintTxHash: "0xddd" };
      await recordDetected(db, key);
      let waited: Promise<unknown> | undefined;
      await db.transaction().execute(async (tx) => {
        await tx
          .updateTable("tokens")
          .set({ status: "generating" })
          .where("chain_id", "=", key.chainId)
          .where("token_id", "=", key.tokenId)
          .execute();
        // Blocks on the row lock this transaction holds until it commits.
        waited = transition(db, { ...key, from: ["detected", "generating"], to: "generated", stage: "generate" });
        await new Promise((r) => setTimeout(r, 300));
      });
      expect(await waited).toMatchObject({ status: "generated" });
      const history = await tokenHistory(db, key);
      expect(history.at(-1)).toMatchObject({ from_status: "generating", to_status: "generated" });
    },
  );

  test("stores author prompts by lowercase address", async () => {
    await setAuthorPrompt(db, { address: "0xABCdef", prompt: "first" });
    await setAuthorPrompt(db, { address: "0xabcDEF", prompt: "second" });
    expect((await getAuthor(db, "0xABCDEF"))?.prompt).toBe("second");
  });
});
