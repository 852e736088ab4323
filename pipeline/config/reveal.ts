/** On-chain reveal by the keeper: batching, confirmations, fees, stuck-transaction handling. */
import { z } from "zod";
import { int, num, optionalString } from "../../common/env";

export const revealEnv = z.object({
  KEEPER_PRIVATE_KEY: optionalString(),
  BATCH_REVEAL_MAX_TOKENS: int(50, { min: 1, max: 200 }),
  BATCH_REVEAL_WAIT_SECONDS: num(5, { min: 0 }),
  REVEAL_CONFIRMATIONS: int(3, { min: 0 }),
  REVEAL_GAS_BUFFER: num(1.2, { min: 1, max: 5 }),
  REVEAL_MAX_FEE_GWEI: num(5, { min: 0 }),
  REVEAL_STUCK_SECONDS: num(60, { min: 1 }),
  /** Fee bump per replacement, in percent; nodes require at least 12.5 (10 for some). */
  REVEAL_FEE_BUMP_PERCENT: num(20, { min: 12.5, max: 500 }),
  /** How soon to look again when fees are above the cap or mints are not deep enough yet. */
  REVEAL_RECHECK_SECONDS: num(15, { min: 0.1 }),
});
