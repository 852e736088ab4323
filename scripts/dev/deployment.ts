/**
 * The GliskNFT deployment `npm run dev` serves, per mode: the local twin (deployed when the chain
 * lacks it), the network's deployment on a fork (with the dev keeper granted KEEPER_ROLE on the fork),
 * or an existing deployment as it is (its keeper's role is checked and reported).
 */
import { type Address, createPublicClient, getAddress, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { GliskNFTAbi } from "../../abis/GliskNFTAbi";
import type { DevPaths } from "../../common/local-stack";
import { anvilKey } from "../lib/anvil-keys";
import { ensureLocalDeployment } from "../lib/local-deployment";
import type { DevChain } from "./chain";
import { prepareForkKeeper } from "./fork-keeper";
import type { DevMode } from "./mode";
import { type StackRecord, wipeDerivedState } from "./session";

const KEEPER_ROLE = "0xfc8737ab85eb45125971625a9ebdb75cc78e01d5c1fa80c4c6e5203f47bc4fab";

export type DeploymentParameters = {
  mode: DevMode;
  chain: DevChain;
  paths: DevPaths;
  previous: "resume" | "clean";
  /** What the previous run served, from its session. */
  previousStack: StackRecord | undefined;
  env: NodeJS.ProcessEnv;
  /** Prints a supervisor line (this runs in a step child: scripts/dev/run-step.ts relays the lines). */
  say: (line: string) => void;
};

export type DevDeployment = {
  chainId: number;
  /** Checksummed, as the banner and the session show it. */
  address: Address;
  startBlock: number;
  keeper: Address;
  keeperKey: string;
  /** The indexer's and the pipeline's local state was reset (queues in an external Redis must go too). */
  reset: boolean;
};

/** KEEPER_PRIVATE_KEY, else anvil account 1 (mode.ts refuses the default off a local chain). */
function keeperOf(env: NodeJS.ProcessEnv): { keeper: Address; keeperKey: string } {
  const keeperKey = env.KEEPER_PRIVATE_KEY?.trim() || anvilKey(1);
  return { keeper: privateKeyToAccount(keeperKey as `0x${string}`).address, keeperKey };
}

async function localDeployment(p: DeploymentParameters): Promise<DevDeployment> {
  const { say } = p;
  const keeper = keeperOf(p.env);
  const d = await ensureLocalDeployment({ rpcUrl: p.chain.rpcUrl, keeper: keeper.keeper, file: p.paths.deployment });
  const switched = !d.redeployed && p.previousStack?.mode === "local" && p.previousStack.address !== d.address;
  if (d.redeployed && p.previous === "resume")
    say("the recorded contract is missing on this chain: redeployed, local index and pipeline data reset");
  if (switched)
    say(`the recorded contract changed to ${d.address} (npm run deploy:local?): local index and pipeline data reset`);
  const reset = d.redeployed || switched;
  if (reset) wipeDerivedState(p.paths);
  if (reset && p.env.DATABASE_URL)
    say("warning: DATABASE_URL is set; its indexer and pipeline schemas still hold the previous contract's data");
  say(`GliskNFT at ${getAddress(d.address)} (block ${d.startBlock}), keeper ${keeper.keeper}`);
  return { chainId: d.chainId, address: getAddress(d.address), startBlock: d.startBlock, ...keeper, reset };
}

async function forkDeployment(p: DeploymentParameters, network: DevMode & { kind: "fork" }): Promise<DevDeployment> {
  // Never a real keeper's key on a fork: a reveal it signs there (chain id and nonce of the network)
  // would be a valid transaction on the network itself, revealing URIs that exist only on this machine.
  if (p.env.KEEPER_PRIVATE_KEY?.trim())
    p.say("KEEPER_PRIVATE_KEY is not used on a fork: the dev keeper (anvil account 1) reveals there");
  const keeper = keeperOf({});
  const n = { ...network.network, rpcUrl: p.chain.rpcUrl };
  const result = await prepareForkKeeper({ rpcUrl: p.chain.rpcUrl, network: n, keeper: keeper.keeper });
  p.say(
    result.granted
      ? `KEEPER_ROLE granted on the fork to ${keeper.keeper} by the contract's admin ${result.admin} (impersonated)`
      : `the keeper ${keeper.keeper} already holds KEEPER_ROLE`,
  );
  return { chainId: n.chainId, address: n.address, startBlock: n.startBlock, ...keeper, reset: true };
}

async function existingDeployment(p: DeploymentParameters, n: DevMode & { kind: "existing" }): Promise<DevDeployment> {
  const keeper = keeperOf(p.env);
  const { address, chainId, startBlock, rpcUrl } = n.network;
  const client = createPublicClient({ transport: http(rpcUrl) });
  const [code, role] = await Promise.all([
    client.getCode({ address }),
    client.readContract({ address, abi: GliskNFTAbi, functionName: "hasRole", args: [KEEPER_ROLE, keeper.keeper] }),
  ]).catch((error: Error) => {
    throw new Error(`cannot read the deployment ${address} on chain ${chainId}: ${error.message.split("\n")[0]}`);
  });
  if (!code || code === "0x")
    throw new Error(`no contract at ${address} on chain ${chainId}: check GLISK_CONTRACT_ADDRESS`);
  p.say(`GliskNFT at ${address} (from block ${startBlock}) on chain ${chainId}, keeper ${keeper.keeper}`);
  if (!role)
    p.say(
      `warning: the keeper ${keeper.keeper} lacks KEEPER_ROLE: tokens become ready but are not revealed until an admin grants it`,
    );
  return { chainId, address, startBlock, ...keeper, reset: false };
}

/** Resolves the deployment of the mode, resetting local state that belonged to another one. */
export function prepareDeployment(p: DeploymentParameters): Promise<DevDeployment> {
  if (p.mode.kind === "fork") return forkDeployment(p, p.mode);
  if (p.mode.kind === "existing") return existingDeployment(p, p.mode);
  return localDeployment(p);
}
