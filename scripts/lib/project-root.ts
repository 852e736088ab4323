/** The repository's root directory, the same whether this code runs from its source or from a bundle in dist/. */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(dir: string): string {
  for (let current = dir; ; current = path.dirname(current)) {
    if (existsSync(path.join(current, "package.json"))) return current;
    if (path.dirname(current) === current) throw new Error(`no package.json above ${dir}`);
  }
}

/** The nearest directory holding package.json above this module (or above the bundle it was built into). */
export const projectRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)));
