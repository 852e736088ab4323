/**
 * `npm run deploy:local [-- --if-missing] [--json] [--file <path>]`: deploys GliskNFT to the local
 * chain, grants KEEPER_ROLE to the keeper and records the deployment (deployments/anvil.json, or the
 * GLISK_DEV_DIR one), which the indexer and the pipeline read. `--if-missing` keeps the recorded
 * deployment while its contract is on the chain; `--json` prints the result as one JSON line (how `npm
 * run dev` calls it, through scripts/lib/local-deployment.ts).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { type Address, getAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { devPaths } from "../common/local-stack";
import { anvilKey } from "./lib/anvil-keys";
import { deployGlisk, localClients } from "./lib/glisk";
import { type LocalDeployment, localRpcUrl } from "./lib/local-deployment";

type Recorded = Omit<LocalDeployment, "keeper" | "redeployed">;

function readRecorded(file: string): Recorded | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const raw = JSON.parse(readFileSync(file, "utf8")) as Recorded;
    return { chainId: raw.chainId, address: getAddress(raw.address), startBlock: raw.startBlock };
  } catch {
    return undefined;
  }
}

/** The recorded deployment when its contract is on this chain (unless `always`), else a new one. */
async function ensure(p: { rpcUrl: string; keeper: Address; file: string; always: boolean }): Promise<LocalDeployment> {
  const { publicClient } = localClients(p.rpcUrl);
  const chainId = await publicClient.getChainId();
  const recorded = p.always ? undefined : readRecorded(p.file);
  if (recorded && recorded.chainId === chainId) {
    const code = await publicClient.getCode({ address: recorded.address });
    if (code && code !== "0x") return { ...recorded, keeper: p.keeper, redeployed: false };
  }
  const deployed = await deployGlisk({ rpcUrl: p.rpcUrl, keeper: p.keeper });
  const deployment = { chainId, address: getAddress(deployed.address), startBlock: deployed.startBlock };
  mkdirSync(path.dirname(p.file), { recursive: true });
  writeFileSync(p.file, `${JSON.stringify(deployment, null, 2)}\n`);
  return { ...deployment, keeper: p.keeper, redeployed: true };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { "if-missing": { type: "boolean" }, json: { type: "boolean" }, file: { type: "string" } },
  });
  const rpcUrl = localRpcUrl();
  const file = values.file ?? devPaths(process.env).deployment;
  // The keeper to grant: the address of KEEPER_PRIVATE_KEY, else anvil account 1.
  const keeper = privateKeyToAccount((process.env.KEEPER_PRIVATE_KEY?.trim() || anvilKey(1)) as `0x${string}`).address;
  try {
    const d = await ensure({ rpcUrl, keeper, file, always: !values["if-missing"] });
    if (values.json) {
      console.log(JSON.stringify(d));
      return;
    }
    const what = d.redeployed ? "deployed" : "already deployed";
    console.log(`GliskNFT ${what} at ${d.address} (chain ${d.chainId}, block ${d.startBlock}) via ${rpcUrl}`);
    console.log(`KEEPER_ROLE granted to ${keeper}; recorded in ${path.relative(process.cwd(), file)}`);
  } catch (error) {
    console.error(`deploy:local failed: ${(error as Error).message}`);
    console.error(`Is a local chain running at ${rpcUrl}? Start one with \`npm run dev\` or set PONDER_RPC_URL_31337.`);
    process.exit(1);
  }
}

await main();
