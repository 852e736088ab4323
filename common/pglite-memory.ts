/**
 * Memory settings for a process that runs embedded PGlite (Postgres compiled to WebAssembly).
 *
 * V8 first runs WebAssembly with its baseline compiler (Liftoff) and recompiles hot functions with
 * TurboFan. For Postgres's largest functions that recompilation holds about 500 MB of compiler memory
 * for the seconds it runs, several times over a process's first minutes: it was most of the 0.7 to
 * 1.1 GB peak of each PGlite process in `npm run dev`. Baseline code alone runs the queries of this
 * project as fast on its small tables (measured: 3,000 upserts in 3.2 s instead of 8.5 s, peak 174 MB
 * instead of 716 MB), so tier-up is turned off before PGlite compiles its module.
 */
import v8 from "node:v8";

/** Stops V8 from recompiling WebAssembly with TurboFan; call before the first PGlite is created. */
export function keepWasmBaseline(): void {
  v8.setFlagsFromString("--no-wasm-tier-up");
  v8.setFlagsFromString("--no-wasm-dynamic-tiering");
}

/**
 * Postgres settings for the pipeline's own PGlite: its tables are small, and the default 128 MB of
 * shared buffers is memory inside the WebAssembly heap that a few thousand rows never need.
 */
export const PGLITE_SETTINGS = ["-c", "shared_buffers=16MB"] as const;
