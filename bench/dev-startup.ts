/**
 * How long `npm run dev` takes from its start to its banner in each mode: its own chain (clean, then
 * resumed), a local fork, and an existing deployment. The forked and existing deployment is a GliskNFT
 * on a second anvil with 20 tokens minted, so the fork and the existing run also index and reveal a
 * backlog. Prints seconds per run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { getAddress } from "viem";
import { type DevRun, startDev } from "../scripts/lib/dev-run";
import { anvilAccount, anvilKey, deployGlisk, mint } from "../scripts/lib/glisk";
import { startAnvil } from "../scripts/lib/processes";

/** Starts dev, waits for its banner, stops it; returns the seconds to the banner. */
async function timed(extra: Record<string, string>, dir?: string): Promise<number> {
  const started = Date.now();
  const dev: DevRun = await startDev({ LOG_LEVEL: "error", ...extra }, { dir });
  try {
    await dev.ready();
    return (Date.now() - started) / 1000;
  } finally {
    if (dir) await dev.interrupt();
    else await dev.cleanup();
  }
}

async function benchDevStartup(): Promise<void> {
  const origin = await startAnvil({ blockTime: 1 });
  try {
    const deployed = await deployGlisk({
      rpcUrl: origin.url,
      deployer: anvilAccount(7),
      keeper: anvilAccount(5).address,
    });
    const address = getAddress(deployed.address);
    await mint({ rpcUrl: origin.url, address, author: anvilAccount(3).address, quantity: 20 });
    const target = { GLISK_CONTRACT_ADDRESS: address, GLISK_START_BLOCK: String(deployed.startBlock) };
    const dir = mkdtempSync(path.join(tmpdir(), "glisk-bench-dev-"));
    const rows: [string, number][] = [];
    try {
      rows.push(["local, clean chain (deploys the twin)", await timed({}, dir)]);
      rows.push(["local, resumed chain", await timed({}, dir)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    rows.push(["fork of another anvil (20 tokens)", await timed({ ANVIL_FORK_URL: origin.url, ...target })]);
    rows.push([
      "existing deployment, no anvil",
      await timed({ ...target, PONDER_RPC_URL_31337: origin.url, KEEPER_PRIVATE_KEY: anvilKey(5) }),
    ]);
    console.log("dev start-up: seconds from `npm run dev` to its banner");
    for (const [mode, seconds] of rows) console.log(`  ${mode.padEnd(40)} ${seconds.toFixed(1).padStart(6)} s`);
  } finally {
    await origin.stop();
  }
}

if (process.argv[1] === import.meta.filename) await benchDevStartup();
