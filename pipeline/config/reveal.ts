/** On-chain reveal by the keeper: batching, confirmations, fees, stuck-transaction handling. */
import { z } from "zod";
import { bool, int, num, optionalString } from "../../common/env";

export const revealEnv = z.object({
  KEEPER_PRIVATE_KEY: optionalString(),
  /**
   * Most gas one reveal transaction may be given (its gas limit, estimate × REVEAL_GAS_BUFFER): a
   * transaction carries as many ready tokens as fit. Capped at 2^24, the per-transaction gas cap of
   * EIP-7825.
   */
  REVEAL_GAS_BUDGET: int(16_000_000, { min: 500_000, max: 16_777_216 }),
  /**
   * While more tokens are on their way (generating or pinning), longest a ready token waits for a
   * full transaction; with nothing on its way, ready tokens go at once.
   */
  BATCH_REVEAL_WAIT_SECONDS: num(5, { min: 0 }),
  /**
   * false: nothing is revealed automatically; ready tokens wait until an operator reveals them
   * (POST /admin/reveal, `glisk reveal`), e.g. to hold a season's reveal for a set moment.
   */
  REVEAL_AUTOMATIC: bool(true),
  REVEAL_CONFIRMATIONS: int(3, { min: 0 }),
  REVEAL_GAS_BUFFER: num(1.2, { min: 1, max: 5 }),
  REVEAL_MAX_FEE_GWEI: num(5, { min: 0 }),
  REVEAL_STUCK_SECONDS: num(60, { min: 1 }),
  /** Fee bump per replacement, in percent; nodes require at least 12.5 (10 for some). */
  REVEAL_FEE_BUMP_PERCENT: num(20, { min: 12.5, max: 500 }),
  /** How soon to look again when fees are above the cap or mints are not deep enough yet. */
  REVEAL_RECHECK_SECONDS: num(15, { min: 0.1 }),
});
