/**
 * The resident memory of `npm run dev`'s supervisor, run as `npm run dev` runs it (the dist/dev.js
 * bundle, built first) at the default LOG_LEVEL: at its banner, idle, and through a surge of mints
 * (`--quantity`, default 1,000) while it forwards the children's output. Prints VmRSS and VmHWM (the
 * peak) in MB from /proc (Linux only). The indexer's and the pipeline's own memory: bench:surge.
 */
import { execFile, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs, promisify } from "node:util";
import { startDev } from "../scripts/lib/dev-run";

const root = path.resolve(import.meta.dirname, "..");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** VmRSS and VmHWM of `pid` in MB. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

async function benchDevMemory(): Promise<void> {
  const { values } = parseArgs({ options: { quantity: { type: "string", default: "1000" } } });
  const build = spawnSync(process.execPath, ["scripts/launch.cjs", "scripts/build.ts", "--quiet"], {
    cwd: root,
    stdio: "inherit",
  });
  if (build.status !== 0) throw new Error("npm run build failed");
  const dev = await startDev({ LOG_LEVEL: "info" }, { compiled: true });
  try {
    await dev.ready();
    const pid = dev.child.pid as number;
    const rows: [string, { rss: number; peak: number }][] = [["at its banner", memory(pid)]];
    await sleep(15_000);
    rows.push(["idle, 15 s later", memory(pid)]);
    let highest = 0;
    const sampler = setInterval(() => {
      highest = Math.max(highest, memory(pid).rss);
    }, 250);
    // Not spawnSync: the sampler keeps running while the tokens are minted.
    const mintArgs = ["scripts/launch.cjs", "scripts/mint.ts", "--quantity", values.quantity];
    await promisify(execFile)(process.execPath, mintArgs, { cwd: root, env: dev.env });
    rows.push([`${values.quantity} tokens minted`, memory(pid)]);
    await sleep(60_000);
    clearInterval(sampler);
    rows.push(["a minute into the surge", memory(pid)]);
    console.log("npm run dev's supervisor (dist/dev.js): MB resident (VmRSS), and its peak so far (VmHWM)");
    for (const [when, m] of rows)
      console.log(`  ${when.padEnd(28)} ${m.rss.toFixed(1).padStart(6)} MB, peak ${m.peak.toFixed(1).padStart(6)} MB`);
    console.log(`  highest sampled during the surge: ${highest.toFixed(1)} MB`);
  } finally {
    await dev.cleanup();
  }
}

if (process.argv[1] === import.meta.filename) await benchDevMemory();
