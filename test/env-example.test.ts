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
    [
      "npm run dev",
      [
        "ANVIL_FORK_URL",
        "ANVIL_FORK_BLOCK",
        "ANVIL_PORT",
        "INDEXER_PORT",
        "REDIS_PORT",
        "GLISK_DEV_DIR",
        "GLISK_API_URL",
      ],
    ],
  ])("documents every %s variable", (_, keys) => {
    expect(keys.filter((key) => !documented.has(key))).toEqual([]);
  });

  test("sets nothing: copied to .env it changes no default (npm run dev keeps its own chain, Redis and paths)", () => {
    expect(example.split("\n").filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))).toEqual([]);
  });

  test("every variable of .env.example is in the README's configuration tables", () => {
    expect([...documented].filter((key) => key && !readme.includes(`\`${key}\``))).toEqual([]);
  });
});
