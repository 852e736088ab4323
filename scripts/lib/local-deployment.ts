/**
 * The local deployment of GliskNFT that `npm run dev` and `npm run deploy:local` use: recorded in
 * deployments/anvil.json (or the GLISK_DEV_DIR one), reused while its contract is on the chain.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type Address, getAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { localDeploymentFile } from "../../common/local-stack";
import { anvilAccount, deployGlisk, localClients } from "./glisk";

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

/** Where to deploy, whom to grant KEEPER_ROLE, where to record it (default deployments/anvil.json). */
export type LocalDeploymentParameters = { rpcUrl: string; keeper: Address; file?: string };

/** Deploys GliskNFT, grants the keeper and writes `file`. */
export async function deployLocal({
  rpcUrl,
  keeper,
  file = localDeploymentFile,
}: LocalDeploymentParameters): Promise<LocalDeployment> {
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
}: LocalDeploymentParameters): Promise<LocalDeployment & { redeployed: boolean }> {
  const recorded = readLocalDeployment(file);
  if (recorded) {
    const { publicClient } = localClients(rpcUrl);
    const [chainId, code] = await Promise.all([
      publicClient.getChainId(),
      publicClient.getCode({ address: recorded.address }),
    ]);
    if (chainId === recorded.chainId && code && code !== "0x") return { ...recorded, redeployed: false };
  }
  return { ...(await deployLocal({ rpcUrl, keeper, file })), redeployed: true };
}
