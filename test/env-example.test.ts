import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { indexerEnv } from "../indexer/parse-config";
import { pipelineEnv } from "../pipeline/config";

const example = readFileSync(path.resolve(import.meta.dirname, "../.env.example"), "utf8");
const readme = readFileSync(path.resolve(import.meta.dirname, "../README.md"), "utf8");
const documented = new Set([...example.matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));

describe(".env.example", () => {
  test.each([
    ["pipeline", Object.keys(pipelineEnv.shape)],
    ["indexer", Object.keys(indexerEnv.shape)],
    [
      "network",
      [
        "GLISK_NETWORK",
        "GLISK_CONTRACT_ADDRESS",
        "GLISK_START_BLOCK",
        "PONDER_RPC_URL_31337",
        "PONDER_RPC_URL_8453",
        "PONDER_RPC_URL_84532",
      ],
    ],
  ])("documents every %s variable", (_, keys) => {
    expect(keys.filter((key) => !documented.has(key))).toEqual([]);
  });

  test("every variable of .env.example is in the README's configuration tables", () => {
    expect([...documented].filter((key) => key && !readme.includes(`\`${key}\``))).toEqual([]);
  });
});
