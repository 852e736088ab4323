/**
 * Multicall3 (aggregate3 and getEthBalance) at its canonical address on a test chain that stands for a real network:
 * viem's Base chains batch reads through it there, as they do on Base.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import solc from "solc";
import type { Address, Hex } from "viem";
import { rpc } from "./services";

export const MULTICALL3: Address = "0xcA11bde05977b3631167028862bE2a173976CA11";

function runtimeCode(): Hex {
  const file = path.resolve(import.meta.dirname, "../fixtures/Multicall3.sol");
  const input = {
    language: "Solidity",
    sources: { "Multicall3.sol": { content: readFileSync(file, "utf8") } },
    settings: { evmVersion: "shanghai", outputSelection: { "*": { "*": ["evm.deployedBytecode.object"] } } },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const object = output.contracts?.["Multicall3.sol"]?.Multicall3?.evm?.deployedBytecode?.object;
  if (!object) throw new Error(`cannot compile Multicall3: ${JSON.stringify(output.errors ?? [])}`);
  return `0x${object}`;
}

/** Puts aggregate3 at the canonical Multicall3 address of the chain at `rpcUrl`. */
export async function installMulticall3(rpcUrl: string): Promise<void> {
  await rpc(rpcUrl, "anvil_setCode", [MULTICALL3, runtimeCode()]);
}
