/** The custom error a contract call reverts with, decoded by viem from the ABI. */
import { BaseError, ContractFunctionRevertedError } from "viem";

/** Runs `run` (a simulation or a write) and returns the name and arguments of the error it reverts with. */
export async function revertName(run: () => Promise<unknown>): Promise<{ name?: string; args?: readonly unknown[] }> {
  try {
    await run();
  } catch (error) {
    if (error instanceof BaseError) {
      const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
      if (revert instanceof ContractFunctionRevertedError) {
        return { name: revert.data?.errorName, args: revert.data?.args };
      }
    }
    throw error;
  }
  throw new Error("expected a revert");
}
