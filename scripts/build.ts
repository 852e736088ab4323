/**
 * `npm run build`: the entry points that run for long (the pipeline, `npm start`'s supervisor, `npm
 * run dev`'s supervisor) and the start-up steps dev runs as children (scripts/dev-steps.ts), bundled by esbuild into `dist/` as
 * plain JavaScript. Node runs them without a TypeScript loader: no tsx hooks thread, no transform
 * caches, a smaller heap (docs/operations.md has the figures). Dependencies stay in node_modules and
 * load from there (PGlite, BullMQ and Bull Board find their own files), except the pure ES modules in
 * INLINE: bundled, they are tree-shaken (viem's ~600 chain definitions and zod's locales go), which
 * saves each process about 15 MB of heap.
 *
 * Files are written next to their final names and renamed over them, so a process starting while
 * another `npm start` rebuilds never loads half a bundle.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build, type Plugin } from "esbuild";
import { ENTRY_POINTS, outFile } from "./lib/launch";

const root = path.resolve(import.meta.dirname, "..");

/** Packages bundled rather than loaded from node_modules: side-effect-free ES modules that only our code imports. */
const INLINE = new Set([
  "viem",
  "ox",
  "abitype",
  "@noble/curves",
  "@noble/hashes",
  "@scure/base",
  "@scure/bip32",
  "@scure/bip39",
  "zod",
]);

/** Every bare import stays external unless its package is in INLINE. */
const externalPackages: Plugin = {
  name: "external-packages",
  setup(b) {
    b.onResolve({ filter: /^[^./#]/ }, (args) => {
      if (args.path.startsWith("node:")) return { external: true };
      const parts = args.path.split("/");
      const name = args.path.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? "");
      return INLINE.has(name) ? undefined : { external: true };
    });
  },
};

async function main(): Promise<void> {
  const quiet = process.argv.includes("--quiet");
  const started = performance.now();
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(ENTRY_POINTS).map(([name, source]) => [name, source])),
    outdir: "dist",
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    plugins: [externalPackages],
    sourcemap: "linked",
    // Stack traces and logs keep function and class names.
    keepNames: true,
    write: false,
    logLevel: "warning",
  });
  mkdirSync(path.join(root, "dist"), { recursive: true });
  const suffix = `.${process.pid}.tmp`;
  for (const file of result.outputFiles) {
    writeFileSync(file.path + suffix, file.contents);
    renameSync(file.path + suffix, file.path);
  }
  if (!quiet) {
    const names = Object.keys(ENTRY_POINTS).map((name) =>
      path.relative(root, outFile(name as keyof typeof ENTRY_POINTS)),
    );
    console.log(`built ${names.join(", ")} in ${Math.round(performance.now() - started)} ms`);
  }
}

main().catch((error: Error) => {
  console.error(`build failed: ${error.message}`);
  process.exit(1);
});
