import { describe, expect, test } from "vitest";
import { indexedBlock, indexerLag } from "./indexer-lag";

const at = (number: number, timestamp: number) => ({ number, timestamp });

describe("indexerLag", () => {
  test("lagging only when both the block gap and the age are over their limits", () => {
    const limits = { maxBlocks: 30, maxSeconds: 60 };
    expect(indexerLag({ indexed: at(100, 1_000), head: at(200, 1_200), ...limits })).toEqual({
      blocks: 100,
      seconds: 200,
      lagging: true,
    });
    expect(indexerLag({ indexed: at(100, 1_000), head: at(200, 1_050), ...limits }).lagging).toBe(false);
    expect(indexerLag({ indexed: at(190, 1_000), head: at(200, 1_500), ...limits }).lagging).toBe(false);
    expect(indexerLag({ indexed: at(210, 1_300), head: at(200, 1_200), ...limits })).toMatchObject({
      blocks: 0,
      seconds: 0,
    });
  });

  test("finds the chain in Ponder's /status by id", () => {
    const status = { base: { id: 8453, block: at(5, 10) } };
    expect(indexedBlock(status, 8453)).toEqual(at(5, 10));
    expect(indexedBlock(status, 1)).toBeUndefined();
    expect(indexedBlock(undefined, 8453)).toBeUndefined();
  });
});
