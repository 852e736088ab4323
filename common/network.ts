/**
 * Which chain and which GliskNFT deployment to use, shared by the indexer (ponder.config.ts) and the
 * pipeline. Presets carry the deployed GLISK Season 0 addresses; env overrides any preset.
 */
import { existsSync, readFileSync } from "node:fs";
import { type Address, getAddress, isAddress } from "viem";
import { localDeploymentFile } from "./local-stack";

export const networks = {
  anvil: { chainId: 31337, address: undefined, startBlock: undefined, defaultRpcUrl: "http://127.0.0.1:8545" },
  base: {
    chainId: 8453,
    address: "0xb43185E67D4Fb27115AC419C9F8A335cC0B837B9",
    startBlock: 37432871,
    defaultRpcUrl: undefined,
  },
  "base-sepolia": {
    chainId: 84532,
    address: "0x569d456c584Ac2bb2d66b075a31278630E7d43a0",
    startBlock: 32652800,
    defaultRpcUrl: undefined,
  },
} as const;

export type NetworkName = keyof typeof networks;
export type Network = { name: NetworkName; chainId: number; rpcUrl: string; address: Address; startBlock: number };

type Env = Record<string, string | undefined>;

/**
 * Resolves the network from `GLISK_NETWORK` (default `anvil`), `PONDER_RPC_URL_<chainId>`,
 * `GLISK_CONTRACT_ADDRESS` and `GLISK_START_BLOCK`, falling back to `deployments/anvil.json` on anvil.
 * Throws one error listing every problem.
 */
export function resolveNetwork(env: Env, deploymentFile = localDeploymentFile): Network {
  const problems: string[] = [];
  const name = (env.GLISK_NETWORK || "anvil") as NetworkName;
  const preset = networks[name];
  if (!preset) {
    throw new Error(`GLISK_NETWORK must be one of ${Object.keys(networks).join(", ")} (got "${env.GLISK_NETWORK}")`);
  }
  const rpcVar = `PONDER_RPC_URL_${preset.chainId}`;
  const rpcUrl = env[rpcVar] || preset.defaultRpcUrl;
  if (!rpcUrl)
    problems.push(`${rpcVar} is required for GLISK_NETWORK=${name} (an RPC endpoint for chain ${preset.chainId})`);
  else if (!/^(https?|wss?):\/\//.test(rpcUrl)) problems.push(`${rpcVar} must be an http(s) or ws(s) URL`);

  let local: { address?: string; startBlock?: number; chainId?: number } = {};
  if (name === "anvil" && (!env.GLISK_CONTRACT_ADDRESS || !env.GLISK_START_BLOCK) && existsSync(deploymentFile)) {
    local = JSON.parse(readFileSync(deploymentFile, "utf8"));
  }
  const rawAddress = env.GLISK_CONTRACT_ADDRESS || local.address || preset.address;
  const rawStart = env.GLISK_START_BLOCK || local.startBlock?.toString() || preset.startBlock?.toString();
  if (!rawAddress) {
    problems.push(
      "GLISK_CONTRACT_ADDRESS is not set and deployments/anvil.json is missing: run `npm run deploy:local`",
    );
  } else if (!isAddress(rawAddress, { strict: false })) {
    problems.push(`GLISK_CONTRACT_ADDRESS is not an address: "${rawAddress}"`);
  }
  const startBlock = Number(rawStart ?? 0);
  if (!Number.isSafeInteger(startBlock) || startBlock < 0) {
    problems.push(`GLISK_START_BLOCK must be a non-negative integer (got "${rawStart}")`);
  }
  if (problems.length > 0 || !rpcUrl || !rawAddress)
    throw new Error(`Invalid network configuration:\n- ${problems.join("\n- ")}`);
  return { name, chainId: preset.chainId, rpcUrl, address: getAddress(rawAddress), startBlock };
}
