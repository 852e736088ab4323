/**
 * How the project's processes start one another. A process running compiled (from `dist/`: `npm
 * start`, `npm run dev`, the image) starts the others compiled; one running from the TypeScript
 * sources (tests, `node --import tsx scripts/dev.ts`) starts them from their sources through tsx. So
 * the two modes never mix, and `npm run build` (scripts/build.ts) bundles exactly these entry points.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ponderBin } from "./processes";
import { projectRoot as root } from "./project-root";

/** Entry points by name: `dist/<name>.js` is built from the source file. */
export const ENTRY_POINTS = {
  pipeline: "pipeline/main.ts",
  start: "scripts/start.ts",
  dev: "scripts/dev.ts",
  /** npm run dev's start-up steps that need viem, zod or BullMQ, each a short-lived child (scripts/dev/run-step.ts). */
  "dev-steps": "scripts/dev-steps.ts",
} as const;

export type EntryPoint = keyof typeof ENTRY_POINTS;

/**
 * Node flags of the long-lived processes. V8 sizes the young generation by the machine's RAM (up to
 * 64 MB per semi-space on a large host), room that processes keeping little alive never need: capped
 * at 4 MB, scavenges run more often (each well under a millisecond) and the indexer stays about 250 MB
 * smaller, the pipeline about 100 MB (docs/operations.md). The image's supervisor (dist/start.js)
 * starts both roles with them.
 */
const LEAN_HEAP = ["--max-semi-space-size=4"];
/**
 * The pipeline keeps little alive (jobs live in Redis, rows in the database), yet V8 lets its old
 * generation grow to hundreds of MB before collecting when the machine has RAM to spare: 338 MB peak
 * RSS in a 1,000-token surge, 184 MB with the old generation capped at 96 MB and the same throughput
 * (bench:surge). Images are Buffers, outside this limit. 128 MB leaves room above the live set.
 */
const PIPELINE_HEAP = ["--max-old-space-size=128"];
const NODE_FLAGS: Partial<Record<EntryPoint, string[]>> = { pipeline: [...LEAN_HEAP, ...PIPELINE_HEAP] };

/** The Node arguments that run Ponder's CLI with `args` (`dev …` or `start …`), with the indexer's flags. */
export const ponderArgs = (args: string[]): string[] => [...LEAN_HEAP, ponderBin(), ...args];

const here = fileURLToPath(import.meta.url);

/** True when this code runs from a bundle in dist/ rather than from its TypeScript source. */
export const runningCompiled = (): boolean => here.endsWith(".js");

/** The bundle `npm run build` writes for `entry`. */
export const outFile = (entry: EntryPoint): string => path.join(root, "dist", `${entry}.js`);

/**
 * The Node arguments (before the entry's own) that run `entry`: its bundle when `compiled` (by
 * default, when this process runs compiled), else its source through tsx.
 */
export function entryArgs(entry: EntryPoint, compiled = runningCompiled()): string[] {
  const flags = NODE_FLAGS[entry] ?? [];
  if (!compiled) return [...flags, "--import", "tsx", path.join(root, ENTRY_POINTS[entry])];
  const file = outFile(entry);
  if (!existsSync(file)) throw new Error(`${path.relative(root, file)} is missing: run \`npm run build\` first`);
  return [...flags, file];
}
