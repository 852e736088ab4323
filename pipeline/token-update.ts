/**
 * Column updates a stage makes while it works on one mint of a token. Guarded by the mint: if a reorg
 * gave the token id to another mint meanwhile (recordDetected reset the row), nothing is written, so
 * a stale job can never attach its prediction, CIDs or errors to the new mint's row.
 */
import type { Db } from "./db/database";
import type { Token, TokenUpdate } from "./db/schema";
import type { TokenKey } from "./db/tokens";

export type MintKey = TokenKey & { mintTxHash: string };

/** Updates the row only while it still belongs to `key.mintTxHash`; undefined when it does not. */
export async function updateForMint(db: Db, key: MintKey, set: TokenUpdate): Promise<Token | undefined> {
  return db
    .updateTable("tokens")
    .set({ ...set, updated_at: new Date() })
    .where("chain_id", "=", key.chainId)
    .where("token_id", "=", key.tokenId)
    .where("mint_tx_hash", "=", key.mintTxHash)
    .returningAll()
    .executeTakeFirst();
}
