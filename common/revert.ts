/**
 * Decoding contract reverts by custom-error name, for the indexer and the pipeline alike.
 *
 * A revert (the node executed the call and it failed with a reason) says something about the call;
 * anything else (timeouts, 5xx, connection resets, rate limits) is the transport's failure, and
 * `decodeRevert` returns undefined for it so the caller treats it as transient.
 */
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
