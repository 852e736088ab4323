/** `npm run bench`: every benchmark in turn, each in its own process and printing its own figures. */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

for (const name of ["gas", "stages", "reveal", "authors", "abuse", "dev-startup", "dev-memory"]) {
  const file = path.join(import.meta.dirname, `${name}.ts`);
  if (!existsSync(file)) continue;
  console.log(`\n## bench:${name}`);
  const result = spawnSync("npx", ["tsx", file], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
