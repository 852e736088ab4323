/**
 * The keeper wallet that signs reveal transactions. The private key stays inside the viem account
 * built here: it is never logged, never put in job data and never returned; only the address is.
 */
import { type Address, keccak256, type PrivateKeyAccount, type PublicClient, toBytes } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { GliskNFTAbi } from "../../abis/GliskNFTAbi";
import type { DecodedRevert } from "../../common/revert";
import type { Context } from "../context";
import { PermanentError } from "../errors";

export const KEEPER_ROLE = keccak256(toBytes("KEEPER_ROLE"));

/** The keeper lacks KEEPER_ROLE: retrying cannot help, an operator must grant the role. */
export class KeeperUnauthorizedError extends PermanentError {
  override name = "KeeperUnauthorizedError";
  constructor(keeper: string, detail: string) {
    super(
      `reveal worker stopped: keeper ${keeper} is not allowed to call revealTokens (${detail}). ` +
        "Grant KEEPER_ROLE to this address on the contract, then restart the pipeline.",
    );
  }
}

export function isUnauthorized(revert: DecodedRevert | undefined): boolean {
  return revert?.name === "AccessControlUnauthorizedAccount";
}

export type Keeper = { account: PrivateKeyAccount; address: Address };

/** The keeper account from KEEPER_PRIVATE_KEY, or undefined when it is not configured. */
export function keeperFromConfig(config: Pick<Context["config"], "KEEPER_PRIVATE_KEY">): Keeper | undefined {
  if (!config.KEEPER_PRIVATE_KEY) return undefined;
  const account = privateKeyToAccount(config.KEEPER_PRIVATE_KEY as `0x${string}`);
  return { account, address: account.address };
}

export type KeeperCheck = { hasRole: boolean; balanceWei: bigint };

/** Reads whether `address` holds KEEPER_ROLE (or is admin, which the contract also accepts) and its balance. */
export async function checkKeeper(
  chain: PublicClient,
  { contract, address }: { contract: Address; address: Address },
): Promise<KeeperCheck> {
  const [keeperRole, adminRole, balanceWei] = await Promise.all([
    chain.readContract({ address: contract, abi: GliskNFTAbi, functionName: "hasRole", args: [KEEPER_ROLE, address] }),
    chain.readContract({
      address: contract,
      abi: GliskNFTAbi,
      functionName: "hasRole",
      args: [`0x${"0".repeat(64)}`, address],
    }),
    chain.getBalance({ address }),
  ]);
  return { hasRole: keeperRole || adminRole, balanceWei };
}

type WorkerState = { running: boolean; stoppedReason: string | null; lastCheck: KeeperCheck | null };
const state: WorkerState = { running: false, stoppedReason: null, lastCheck: null };

/** Records that the reveal worker runs (or stopped, with the reason shown in health). */
export function setRevealWorkerState(update: Partial<WorkerState>): void {
  Object.assign(state, update);
}

export type KeeperStatus = {
  configured: boolean;
  address: Address | null;
  balanceWei: string | null;
  hasRole: boolean | null;
  /** Whether this process's reveal worker is running. */
  running: boolean;
  /** Why the reveal worker is not running, e.g. the keeper lacks KEEPER_ROLE. */
  stoppedReason: string | null;
};

/** The keeper's address, balance, role and this process's reveal worker state, for /health/keeper. */
export async function keeperStatus(ctx: Pick<Context, "config" | "chain">): Promise<KeeperStatus> {
  const keeper = keeperFromConfig(ctx.config);
  const base = { running: state.running, stoppedReason: state.stoppedReason };
  if (!keeper) {
    return { configured: false, address: null, balanceWei: null, hasRole: null, ...base };
  }
  let check = state.lastCheck;
  try {
    check = await checkKeeper(ctx.chain, { contract: ctx.config.network.address, address: keeper.address });
    state.lastCheck = check;
  } catch {
    // The chain is unreachable: report the last known values rather than nothing.
  }
  return {
    configured: true,
    address: keeper.address,
    balanceWei: check ? check.balanceWei.toString() : null,
    hasRole: check ? check.hasRole : null,
    ...base,
  };
}

/**
 * The keeper this process reveals with, after checking it can: undefined (with the reason logged and
 * shown in /health/keeper) when KEEPER_PRIVATE_KEY is unset or the keeper lacks KEEPER_ROLE. An
 * unreachable chain does not stop it: rounds retry, and the first simulation checks the role.
 */
export async function prepareKeeper(ctx: Pick<Context, "config" | "chain" | "logger">): Promise<Keeper | undefined> {
  const keeper = keeperFromConfig(ctx.config);
  if (!keeper) {
    const reason = "KEEPER_PRIVATE_KEY is not set: tokens stay ready and are not revealed";
    ctx.logger.warn(reason);
    setRevealWorkerState({ running: false, stoppedReason: reason });
    return undefined;
  }
  const log = ctx.logger.child({ stage: "reveal", keeper: keeper.address });
  const check = await checkKeeper(ctx.chain, { contract: ctx.config.network.address, address: keeper.address }).catch(
    (error) => {
      log.warn({ err: (error as Error).message }, "cannot check the keeper's role and balance now");
      return undefined;
    },
  );
  if (check) setRevealWorkerState({ lastCheck: check });
  if (check && !check.hasRole) {
    const error = new KeeperUnauthorizedError(keeper.address, "hasRole(KEEPER_ROLE) is false");
    log.error({ err: error.message }, error.message);
    setRevealWorkerState({ running: false, stoppedReason: error.message });
    return undefined;
  }
  if (check?.balanceWei === 0n) log.error("keeper balance is 0: reveal transactions cannot pay for gas");
  else if (check) log.info({ balanceWei: check.balanceWei.toString() }, "keeper ready");
  return keeper;
}
