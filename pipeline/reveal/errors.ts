/**
 * Decoding contract reverts by custom-error name, and the reveal errors that change what the worker
 * does next.
 *
 * Classification: a revert (the node executed the call and it failed with a reason) is permanent for
 * that batch and is handled here by name; anything else (timeouts, 5xx, connection resets, rate
 * limits) is transient and is rethrown so BullMQ retries the round with backoff.
 */
import { UnrecoverableError } from "bullmq";
import { BaseError, ContractFunctionRevertedError } from "viem";

export type DecodedRevert = { name: string; args: readonly unknown[]; message: string };

/** The custom error (or reason string) a contract call reverted with, or undefined when it did not revert. */
export function decodeRevert(error: unknown): DecodedRevert | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(revert instanceof ContractFunctionRevertedError)) return undefined;
  const args = revert.data?.args ?? [];
  const name = revert.data?.errorName ?? (revert.reason ? "Error" : "UnknownRevert");
  const detail = args.length > 0 ? `(${args.map(String).join(", ")})` : revert.reason ? `(${revert.reason})` : "";
  return { name, args, message: `${name}${detail}` };
}

/** The keeper lacks KEEPER_ROLE: retrying cannot help, an operator must grant the role. */
export class KeeperUnauthorizedError extends UnrecoverableError {
  constructor(keeper: string, detail: string) {
    super(
      `reveal worker stopped: keeper ${keeper} is not allowed to call revealTokens (${detail}). ` +
        "Grant KEEPER_ROLE to this address on the contract, then restart the pipeline.",
    );
    this.name = "KeeperUnauthorizedError";
  }
}

export function isUnauthorized(revert: DecodedRevert | undefined): boolean {
  return revert?.name === "AccessControlUnauthorizedAccount";
}
