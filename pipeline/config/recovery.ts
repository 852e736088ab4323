/** Recovery of unfinished work from the database (after a Redis wipe or a lost job). */
import { z } from "zod";
import { bool, int } from "../../common/env";

export const recoveryEnv = z.object({
  /** Re-enqueue unfinished work from the database at start (rebuilds queues after a Redis wipe). */
  RECOVER_ON_START: bool(true),
  /** Re-enqueue unfinished work this often, once across all replicas (heals a Redis wipe while running); 0: off. */
  RECOVER_INTERVAL_SECONDS: int(300, { min: 0, max: 86_400 }),
  /** Recovery leaves a mint with no pipeline row alone until it is this many blocks old: the indexer's enqueue comes first. */
  RECOVER_MINT_GRACE_BLOCKS: int(10, { min: 0, max: 100_000 }),
});
