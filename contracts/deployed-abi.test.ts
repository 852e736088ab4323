import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { GliskNFTAbi } from "../abis/GliskNFTAbi";

type AbiItem = { type: string; name?: string; inputs?: unknown[]; outputs?: unknown[] };

const recorded = JSON.parse(readFileSync(path.join(import.meta.dirname, "deployed/GliskNFT.abi.json"), "utf8")) as {
  source: { repository: string; commit: string; file: string };
  abi: AbiItem[];
};

/** Every entry of one kind as canonical JSON (keys sorted), sorted: order-insensitive, names and types included. */
function entries(abi: readonly AbiItem[], type: string): string[] {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === "object"
        ? Object.fromEntries(
            Object.entries(value)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, v]) => [k, canonical(v)]),
          )
        : value;
  return abi
    .filter((item) => item.type === type)
    .map((item) => JSON.stringify(canonical(item)))
    .sort();
}

describe("the twin's ABI", () => {
  test("records where the deployed ABI comes from", () => {
    expect(recorded.source).toMatchObject({
      repository: "https://github.com/NikitaPirate/Glisk",
      file: "backend/src/glisk/abi/GliskNFT.json",
    });
    expect(recorded.source.commit).toMatch(/^[0-9a-f]{40}$/);
    // The deployed contract has the enumeration the GLISK web client and backend call.
    const names = recorded.abi.map((item) => item.name);
    expect(names).toEqual(expect.arrayContaining(["nextTokenId", "tokenOfOwnerByIndex", "totalSupply"]));
  });

  test.each(["function", "event", "error", "constructor", "receive", "fallback"])(
    "has the deployed contract's %s entries, with the same names, types and indexing",
    (type) => {
      expect(entries(GliskNFTAbi as readonly AbiItem[], type)).toEqual(entries(recorded.abi, type));
    },
  );
});
