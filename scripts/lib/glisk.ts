/**
 * Deploying and driving GliskNFT on a local chain: used by `npm run deploy:local`, `npm run mint`,
 * the benchmarks and the tests.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  type Account,
  type Address,
  type Chain,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  type Hash,
  http,
  type PublicClient,
  parseEther,
  parseEventLogs,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { GliskNFTAbi } from "../../abis/GliskNFTAbi";
import { projectRoot } from "./project-root";

export const PLACEHOLDER_URI = "ipfs://bafkreihld5yx5vudecokbzjerfwyibzsxq2jxuzi7blnxx2uuz72ouoame";
export const DEFAULT_MINT_PRICE = parseEther("0.00005");
const ANVIL_MNEMONIC = "test test test test test test test test test test test junk";

/** The well-known anvil development account at `index` (0 deploys, 1 is the default keeper). */
export function anvilAccount(index: number) {
  return mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index });
}

export { anvilKey } from "./anvil-keys";

const bytecode = (): `0x${string}` => {
  const file = path.join(projectRoot, "contracts/out/GliskNFT.json");
  return JSON.parse(readFileSync(file, "utf8")).bytecode;
};

/** The local chain's definition: anvil's, with the id of the chain it runs (a fork keeps the forked chain's). */
export function localChain(chainId: number = foundry.id): Chain {
  return chainId === foundry.id ? foundry : defineChain({ ...foundry, id: chainId, name: `local chain ${chainId}` });
}

/** viem clients for a local chain (anvil, or a fork of another chain when `chainId` says so); polling tuned for 1 s blocks. */
export function localClients(rpcUrl: string, chainId?: number) {
  const chain = localChain(chainId);
  const transport = http(rpcUrl);
  return {
    publicClient: createPublicClient({ chain, transport, pollingInterval: 200 }) as PublicClient,
    testClient: createTestClient({ chain, transport, mode: "anvil", pollingInterval: 200 }),
    walletFor: (account: Account) => createWalletClient({ chain, transport, account, pollingInterval: 200 }),
  };
}

export type DeployGliskParameters = {
  rpcUrl: string;
  /** The chain's id when it is not 31337 (a local chain that stands for another network). */
  chainId?: number;
  deployer?: Account;
  keeper?: Address;
  placeholderURI?: string;
  mintPrice?: bigint;
};
export type DeployGliskReturnType = { address: Address; startBlock: number; deployTxHash: Hash };

/** Deploys GliskNFT and, when `keeper` is given, grants it `KEEPER_ROLE`. */
export async function deployGlisk(params: DeployGliskParameters): Promise<DeployGliskReturnType> {
  const { publicClient, walletFor } = localClients(params.rpcUrl, params.chainId);
  const wallet = walletFor(params.deployer ?? anvilAccount(0));
  const hash = await wallet.deployContract({
    abi: GliskNFTAbi,
    bytecode: bytecode(),
    args: [
      "GLISK Season 0",
      "GLISK0",
      params.placeholderURI ?? PLACEHOLDER_URI,
      params.mintPrice ?? DEFAULT_MINT_PRICE,
    ],
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress) throw new Error("GliskNFT deployment produced no contract address");
  const address = receipt.contractAddress;
  if (params.keeper) {
    const { rpcUrl, chainId, keeper, deployer: admin } = params;
    await grantKeeper({ rpcUrl, chainId, address, keeper, admin });
  }
  return { address, startBlock: Number(receipt.blockNumber), deployTxHash: hash };
}

/** Grants `KEEPER_ROLE` on `address` to `keeper`, signed by the admin (anvil account 0 by default). */
export async function grantKeeper(params: {
  rpcUrl: string;
  chainId?: number;
  address: Address;
  keeper: Address;
  admin?: Account;
}) {
  const { publicClient, walletFor } = localClients(params.rpcUrl, params.chainId);
  const wallet = walletFor(params.admin ?? anvilAccount(0));
  const role = await publicClient.readContract({
    address: params.address,
    abi: GliskNFTAbi,
    functionName: "KEEPER_ROLE",
  });
  const hash = await wallet.writeContract({
    address: params.address,
    abi: GliskNFTAbi,
    functionName: "grantRole",
    args: [role, params.keeper],
  });
  await publicClient.waitForTransactionReceipt({ hash });
}

export type MintParameters = {
  rpcUrl: string;
  /** The chain's id when it is not 31337 (a fork of Base keeps 8453). */
  chainId?: number;
  address: Address;
  /** Any address, the zero address included (the contract accepts a mint without an author). */
  author: Address;
  quantity: number;
  minter?: Account;
};
export type MintReturnType = { tokenIds: bigint[]; txHash: Hash; blockNumber: bigint };

/** Mints `quantity` tokens for `author`, paying the current mint price. */
export async function mint(params: MintParameters): Promise<MintReturnType> {
  const { publicClient, walletFor } = localClients(params.rpcUrl, params.chainId);
  const wallet = walletFor(params.minter ?? anvilAccount(2));
  const price = await publicClient.readContract({
    address: params.address,
    abi: GliskNFTAbi,
    functionName: "mintPrice",
  });
  const call = {
    address: params.address,
    abi: GliskNFTAbi,
    functionName: "mint",
    args: [params.author, BigInt(params.quantity)],
    value: price * BigInt(params.quantity),
  } as const;
  // The estimate is exact for the state it ran on; minted into a block shared with other mints it
  // can run short (out of gas), so it gets a fifth more.
  const estimate = await publicClient.estimateContractGas({ ...call, account: wallet.account });
  const hash = await wallet.writeContract({ ...call, gas: (estimate * 6n) / 5n });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`mint reverted in ${hash}`);
  const [event] = parseEventLogs({ abi: GliskNFTAbi, eventName: "BatchMinted", logs: receipt.logs });
  if (!event) throw new Error(`no BatchMinted log in ${hash}`);
  const start = event.args.startTokenId;
  const tokenIds = Array.from({ length: params.quantity }, (_, i) => start + BigInt(i));
  return { tokenIds, txHash: hash, blockNumber: receipt.blockNumber };
}

/** Polls `check` until it returns a truthy value, or throws with `message` after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T> | T,
  { timeoutMs = 30_000, intervalMs = 100, message = "condition" } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`, { cause: lastError });
}
