// `node scripts/launch.cjs <file> [args…]`: how npm scripts start the project's processes (dev, start,
// pipeline, indexer, mint, deploy:local). In this order, before any project code loads:
//   1. Node.js is new enough (check-node.cjs), so an old Node fails with one clear line;
//   2. the repository's `.env` is loaded (variables already in the environment win), so every
//      process reads the same file; `.env.local` is refused, because Ponder would read it for the
//      indexer alone and the indexer and the pipeline would disagree;
//   3. tsx is registered (unless <file> is a compiled bundle) and <file> runs in this same process
//      (signals reach it directly).
// `ponder` as <file> runs Ponder's CLI. CommonJS with plain syntax, like check-node.cjs.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const url = require("node:url");
require("./check-node.cjs").checkNode();

const root = path.resolve(__dirname, "..");

function loadEnv() {
  if (fs.existsSync(path.join(root, ".env.local"))) {
    process.stderr.write(
      "This project reads its settings from .env only, but .env.local exists: Ponder would read it for the " +
        "indexer alone. Move its variables into .env and delete .env.local.\n",
    );
    process.exit(1);
  }
  const file = path.join(root, ".env");
  if (!fs.existsSync(file)) return;
  try {
    process.loadEnvFile(file);
  } catch (error) {
    process.stderr.write(`cannot read ${file}: ${error.message}\n`);
    process.exit(1);
  }
}

/** Ponder's CLI script: its package exports only ESM, so look for it along the module paths. */
function ponderBin() {
  const bins = (require.resolve.paths("ponder") || []).map((dir) =>
    path.join(dir, "ponder", "dist", "esm", "bin", "ponder.js"),
  );
  const found = bins.find((bin) => fs.existsSync(bin));
  if (!found) throw new Error("ponder is not installed: run `npm ci`");
  return found;
}

const target = process.argv[2];
if (!target) {
  process.stderr.write("usage: node scripts/launch.cjs <file> [args…]\n");
  process.exit(2);
}
loadEnv();
const entry = target === "ponder" ? ponderBin() : path.resolve(target);
// The entry sees itself as argv[1] and its own arguments from argv[2], as with `node <entry>`.
process.argv.splice(1, 2, entry);
// A bundle from dist/ (`npm run build`) is plain JavaScript: no TypeScript loader, no tsx hooks thread.
if (!entry.endsWith(".js")) require("tsx/esm/api").register();
import(url.pathToFileURL(entry).href).catch((error) => {
  process.stderr.write(`${error?.stack || String(error)}\n`);
  process.exit(1);
});
