import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createScratchDatabase } from "../../scripts/lib/scratch-database";
import { getAuthor, setAuthorPrompt } from "./authors";
import { createDatabase, type Db, migrate } from "./database";
import { getToken, tokenHistory } from "./token-queries";
import { recordDetected, transition } from "./tokens";

let db: Db;
let drop: () => Promise<void>;

beforeAll(async () => {
  const test = await createScratchDatabase();
  drop = test.drop;
  db = await createDatabase(test.kind === "postgres" ? { url: test.url } : { dataDir: test.dir });
});
afterAll(async () => {
  await db?.destroy();
  await drop?.();
});

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

  test("stores author prompts by lowercase address", async () => {
    await setAuthorPrompt(db, { address: "0xABCdef", prompt: "first" });
    await setAuthorPrompt(db, { address: "0xabcDEF", prompt: "second" });
    expect((await getAuthor(db, "0xABCDEF"))?.prompt).toBe("second");
  });
});
