/**
 * The local deployment of GliskNFT that `npm run dev` runs against: reused while its contract is on
 * the chain, deployed again otherwise. The work (viem clients, signing, the contract's bytecode) runs
 * in a `deploy-local` child process, so the long-lived dev supervisor never loads it.
 */
import { execFile } from "node:child_process";
import { entryArgs } from "./launch";

export type LocalDeployment = {
  chainId: number;
  address: `0x${string}`;
  startBlock: number;
  /** The address granted KEEPER_ROLE. */
  keeper: `0x${string}`;
  /** True when this call deployed a new contract (the recorded one was missing from the chain). */
  redeployed: boolean;
};

/** The local RPC endpoint: PONDER_RPC_URL_31337, else anvil on ANVIL_PORT (8545). */
export const localRpcUrl = (env: NodeJS.ProcessEnv = process.env) =>
  env.PONDER_RPC_URL_31337 || `http://127.0.0.1:${env.ANVIL_PORT || 8545}`;

export type EnsureLocalDeploymentParameters = {
  rpcUrl: string;
  /** The key whose address gets KEEPER_ROLE. */
  keeperKey: string;
  /** Where the deployment is recorded. */
  file: string;
};

/**
 * The recorded deployment when its contract still exists on this chain, else a fresh deployment with
 * the keeper granted (`redeployed: true`): a new anvil chain has no code at the recorded address.
 */
export function ensureLocalDeployment(p: EnsureLocalDeploymentParameters): Promise<LocalDeployment> {
  const args = [...entryArgs("deploy-local"), "--if-missing", "--json", "--file", p.file];
  const env = { ...process.env, PONDER_RPC_URL_31337: p.rpcUrl, KEEPER_PRIVATE_KEY: p.keeperKey };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`deploying GliskNFT to ${p.rpcUrl} failed: ${(stderr || error.message).trim()}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as LocalDeployment);
      } catch {
        reject(new Error(`deploy-local printed no deployment: ${stdout.trim().slice(-500)}`));
      }
    });
  });
}
