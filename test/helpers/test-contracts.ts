/**
 * Contracts that stand in for the outside world in tests (test/fixtures/contracts): an ERC-1271 smart
 * wallet and its CREATE2 factory (ERC-6492), and Farcaster's IdRegistry. Compiled with solc-js once
 * per test process; never part of the production contract.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import solc from "solc";
import { type Abi, type Address, createTestClient, createWalletClient, type Hex, http, publicActions } from "viem";
import { foundry } from "viem/chains";
import { anvilAccount } from "../../scripts/lib/glisk";

export type Artifact = { abi: Abi; bytecode: Hex; deployedBytecode: Hex };

type SolcContract = { abi: Abi; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } };

const SOURCES = ["TestWallets.sol", "FarcasterIdRegistry.sol"];
let compiled: Record<string, Artifact> | undefined;

/** Every test contract by name, compiled on first use. */
export function testContracts(): Record<string, Artifact> {
  if (compiled) return compiled;
  const dir = path.resolve(import.meta.dirname, "../fixtures/contracts");
  const sources = Object.fromEntries(SOURCES.map((f) => [f, { content: readFileSync(path.join(dir, f), "utf8") }]));
  const input = {
    language: "Solidity",
    sources,
    settings: {
      evmVersion: "shanghai", // solc 0.8.20, the deployed contract's compiler, knows no later fork
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (output.errors ?? []).filter((e: { severity: string }) => e.severity === "error");
  if (errors.length > 0)
    throw new Error(errors.map((e: { formattedMessage: string }) => e.formattedMessage).join("\n"));
  const result: Record<string, Artifact> = {};
  for (const file of SOURCES) {
    for (const [name, c] of Object.entries(output.contracts[file] as Record<string, SolcContract>)) {
      result[name] = {
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
      };
    }
  }
  compiled = result;
  return result;
}

/** Clients of a local anvil: account 0 deploys and sends, the test client sets code. */
export function anvilClients(rpcUrl: string) {
  const transport = http(rpcUrl);
  return {
    wallet: createWalletClient({ account: anvilAccount(0), chain: foundry, transport }).extend(publicActions),
    test: createTestClient({ mode: "anvil", chain: foundry, transport }),
  };
}

function artifact(name: string): Artifact {
  const a = testContracts()[name];
  if (!a) throw new Error(`no test contract ${name}`);
  return a;
}

/** Deploys `name` with constructor `args` from anvil account 0; resolves with its address. */
export async function deployTestContract(rpcUrl: string, p: { name: string; args?: unknown[] }): Promise<Address> {
  const { wallet } = anvilClients(rpcUrl);
  const { abi, bytecode } = artifact(p.name);
  const hash = await wallet.deployContract({ abi, bytecode, args: p.args ?? [] });
  const receipt = await wallet.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress) throw new Error(`${p.name} was not deployed`);
  return receipt.contractAddress;
}

/** Installs `name`'s runtime code at `address` (a stand-in for a contract deployed elsewhere). */
export async function installTestContract(rpcUrl: string, p: { name: string; address: Address }): Promise<void> {
  await anvilClients(rpcUrl).test.setCode({ address: p.address, bytecode: artifact(p.name).deployedBytecode });
}

/** Sends `functionName(args)` to `address` from anvil account 0 and waits for it. */
export async function callTestContract(
  rpcUrl: string,
  p: { name: string; address: Address; functionName: string; args: unknown[] },
): Promise<void> {
  const { wallet } = anvilClients(rpcUrl);
  const hash = await wallet.writeContract({
    abi: artifact(p.name).abi,
    address: p.address,
    functionName: p.functionName,
    args: p.args,
  });
  const receipt = await wallet.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${p.name}.${p.functionName} reverted`);
}

/** A read of `functionName(args)` on `address`. */
export async function readTestContract<T>(
  rpcUrl: string,
  p: { name: string; address: Address; functionName: string; args: unknown[] },
): Promise<T> {
  const { wallet } = anvilClients(rpcUrl);
  return (await wallet.readContract({
    abi: artifact(p.name).abi,
    address: p.address,
    functionName: p.functionName,
    args: p.args,
  })) as T;
}
