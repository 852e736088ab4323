/**
 * Which deployment (chain and contract) the pipeline's state belongs to. The first pipeline to start on
 * a database claims it; any later one configured for another deployment is refused with a message that
 * says what to change, before it reads or writes a token (invariant 8).
 */
import type { Db } from "./database";

export type DeploymentIdentity = { chainId: number; address: string };

/** A pipeline configured for another deployment than the one its database serves. */
export class DeploymentMismatchError extends Error {
  override name = "DeploymentMismatchError";
}

/** Claims the database for `d` when it serves none yet; throws DeploymentMismatchError when it serves another. */
export async function claimDeployment(db: Db, d: DeploymentIdentity): Promise<void> {
  const contract = d.address.toLowerCase();
  await db
    .insertInto("deployment")
    .values({ id: true, chain_id: d.chainId, contract })
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
  const served = await db.selectFrom("deployment").selectAll().executeTakeFirstOrThrow();
  if (served.chain_id === d.chainId && served.contract === contract) return;
  throw new DeploymentMismatchError(
    `this pipeline database serves GliskNFT ${served.contract} on chain ${served.chain_id} (since ` +
      `${new Date(served.claimed_at).toISOString()}), not ${contract} on chain ${d.chainId}: its tokens, history ` +
      "and reveal transactions belong to that deployment. Point DATABASE_URL at another database (or " +
      "PIPELINE_DATA_DIR at another directory) for this deployment, or set GLISK_NETWORK / " +
      "GLISK_CONTRACT_ADDRESS back to the one it serves.",
  );
}
