/**
 * npm run dev's supervisor runs as long as the stack, so it loads no package at all: viem, zod,
 * pino, ioredis and BullMQ would keep it near 100 MB RSS instead of about 50. What needs them runs
 * in short-lived step children (scripts/dev/run-step.ts).
 */
import path from "node:path";
import { build } from "esbuild";
import { expect, test } from "vitest";

const root = path.resolve(import.meta.dirname, "..");

test("the supervisor's modules import node built-ins only, statically or dynamically", async () => {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ["scripts/dev.ts"],
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    metafile: true,
    write: false,
    logLevel: "silent",
  });
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external));
  const packages = [...new Set(imports.map((i) => i.path))].filter((p) => !p.startsWith("node:"));
  expect(packages).toEqual([]);
  // The step children's code is not part of the supervisor either.
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.filter((i) => /check-settings|deployment|fork-keeper|external-redis|dev\/steps/.test(i))).toEqual([]);
});
