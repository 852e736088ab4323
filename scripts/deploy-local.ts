/**
 * `npm run deploy:local`: deploys GliskNFT to the local chain, grants KEEPER_ROLE to the keeper and
 * records the deployment in deployments/anvil.json, which the indexer and the pipeline read.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { type Address, getAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { devPaths } from "../common/local-stack";
import { localDeploymentFile } from "../common/network";
import { runningStack } from "./dev/session";
import { anvilAccount, deployGlisk, localClients } from "./lib/glisk";

export type LocalDeployment = { chainId: number; address: Address; startBlock: number };

/** The local RPC endpoint: PONDER_RPC_URL_31337, else anvil on ANVIL_PORT (8545). */
export const localRpcUrl = (env: NodeJS.ProcessEnv = process.env) =>
  env.PONDER_RPC_URL_31337 || `http://127.0.0.1:${env.ANVIL_PORT || 8545}`;

/** The keeper to grant: the address of KEEPER_PRIVATE_KEY, else anvil account 1. */
export function localKeeper(env: NodeJS.ProcessEnv = process.env): Address {
  const key = env.KEEPER_PRIVATE_KEY?.trim();
  return key ? privateKeyToAccount(key as `0x${string}`).address : anvilAccount(1).address;
}

function readLocalDeployment(file = localDeploymentFile): LocalDeployment | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const raw = JSON.parse(readFileSync(file, "utf8")) as LocalDeployment;
    return { chainId: raw.chainId, address: getAddress(raw.address), startBlock: raw.startBlock };
  } catch {
    return undefined;
  }
}

/** Deploys GliskNFT, grants the keeper and writes `file`. */
async function deployLocal(rpcUrl: string, keeper: Address, file = localDeploymentFile): Promise<LocalDeployment> {
  const { publicClient } = localClients(rpcUrl);
  const chainId = await publicClient.getChainId();
  const { address, startBlock } = await deployGlisk({ rpcUrl, keeper });
  const deployment = { chainId, address, startBlock };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(deployment, null, 2)}\n`);
  return deployment;
}

/**
 * The recorded deployment when its contract still exists on this chain, else a fresh deployment
 * (`redeployed: true`): a new anvil chain has no code at the recorded address.
 */
export async function ensureLocalDeployment({
  rpcUrl,
  keeper,
  file = localDeploymentFile,
}: {
  rpcUrl: string;
  keeper: Address;
  file?: string;
}): Promise<LocalDeployment & { redeployed: boolean }> {
  const recorded = readLocalDeployment(file);
  if (recorded) {
    const { publicClient } = localClients(rpcUrl);
    const [chainId, code] = await Promise.all([
      publicClient.getChainId(),
      publicClient.getCode({ address: recorded.address }),
    ]);
    if (chainId === recorded.chainId && code && code !== "0x") return { ...recorded, redeployed: false };
  }
  return { ...(await deployLocal(rpcUrl, keeper, file)), redeployed: true };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const paths = devPaths(process.env);
  const stack = runningStack(paths);
  if (stack && stack.mode !== "local") {
    console.error(
      `deploy:local: npm run dev runs ${stack.mode === "fork" ? "on a fork of" : "against"} the deployment ` +
        `${stack.address} on chain ${stack.chainId}; deploy:local deploys the twin on dev's own local chain only`,
    );
    process.exit(1);
  }
  const rpcUrl = localRpcUrl();
  const file = paths.deployment;
  deployLocal(rpcUrl, localKeeper(), file)
    .then((d) => {
      console.log(`GliskNFT deployed at ${d.address} (chain ${d.chainId}, block ${d.startBlock}) via ${rpcUrl}`);
      console.log(`KEEPER_ROLE granted to ${localKeeper()}; recorded in ${path.relative(process.cwd(), file)}`);
      if (stack)
        console.log(
          "The running `npm run dev` keeps its contract until it restarts; the restart resets its local index " +
            "and pipeline data for this one.",
        );
    })
    .catch((error: Error) => {
      console.error(`deploy:local failed: ${error.message}`);
      console.error(
        `Is a local chain running at ${rpcUrl}? Start one with \`npm run dev\` or set PONDER_RPC_URL_31337.`,
      );
      process.exit(1);
    });
}
