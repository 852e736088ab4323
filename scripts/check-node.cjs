// Refuses, on its first line of output, a Node.js older than the project needs, before anything else
// loads: ponder and parts of the toolchain need Node 22 and fail with obscure errors on older ones.
// CommonJS with plain syntax on purpose, so that any Node.js from 14 on runs it.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const REQUIRED_MAJOR = 22;

function recommended() {
  try {
    return fs.readFileSync(path.join(__dirname, "..", ".nvmrc"), "utf8").trim();
  } catch {
    return "24";
  }
}

/** Exits with a message saying what to run when this Node is too old; returns otherwise. */
function checkNode() {
  const major = Number(process.versions.node.split(".")[0]);
  if (major >= REQUIRED_MAJOR) return;
  const want = recommended();
  process.stderr.write(
    `GLISK needs Node.js ${REQUIRED_MAJOR} or newer, and this is Node.js ${process.version}. ` +
      `The repository's .nvmrc names Node ${want}: run \`nvm install && nvm use\` (or install Node ${want} ` +
      "another way), then `npm ci`, and run the command again.\n",
  );
  process.exit(1);
}

module.exports = { checkNode };
if (require.main === module) checkNode();
