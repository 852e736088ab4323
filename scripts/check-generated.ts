/**
 * Fails when a committed generated file is stale: the contract artifacts (`npm run compile`) and
 * Ponder's env types (`npm run codegen`).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { artifactPaths, compile } from "./compile";

const root = path.resolve(import.meta.dirname, "..");
const stale: string[] = [];

const fresh = compile();
if (readFileSync(artifactPaths.abiTs, "utf8") !== fresh.abiTs) stale.push("abis/GliskNFTAbi.ts");
if (readFileSync(artifactPaths.json, "utf8") !== fresh.json) stale.push("contracts/out/GliskNFT.json");

const envTypes = path.join(root, "ponder-env.d.ts");
const before = readFileSync(envTypes, "utf8");
// codegen needs a resolvable network; any address will do for type generation.
execFileSync("npx", ["ponder", "codegen"], {
  cwd: root,
  stdio: "ignore",
  env: {
    ...process.env,
    GLISK_NETWORK: "anvil",
    GLISK_CONTRACT_ADDRESS: `0x${"1".repeat(40)}`,
    GLISK_START_BLOCK: "0",
  },
});
if (readFileSync(envTypes, "utf8") !== before) stale.push("ponder-env.d.ts");

if (stale.length > 0) {
  console.error(`Stale generated files: ${stale.join(", ")}. Run \`npm run compile && npm run codegen\` and commit.`);
  process.exit(1);
}
console.log("generated files are up to date");
