/**
 * `npm run deploy:local`: deploys GliskNFT to the local chain, grants KEEPER_ROLE to the keeper and
 * records the deployment in deployments/anvil.json, which the indexer and the pipeline read.
 */
import path from "node:path";
import { devPaths } from "../common/local-stack";
import { runningStack } from "./dev/session";
import { deployLocal, localKeeper, localRpcUrl } from "./lib/local-deployment";

async function main(): Promise<void> {
  const paths = devPaths(process.env);
  const stack = runningStack(paths);
  if (stack && stack.mode !== "local") {
    console.error(
      `deploy:local: npm run dev runs ${stack.mode === "fork" ? "on a fork of" : "against"} the deployment ` +
        `${stack.address} on chain ${stack.chainId}; deploy:local deploys the twin on dev's own local chain only`,
    );
    process.exit(1);
  }
  const rpcUrl = localRpcUrl();
  const file = paths.deployment;
  deployLocal({ rpcUrl, keeper: localKeeper(), file })
    .then((d) => {
      console.log(`GliskNFT deployed at ${d.address} (chain ${d.chainId}, block ${d.startBlock}) via ${rpcUrl}`);
      console.log(`KEEPER_ROLE granted to ${localKeeper()}; recorded in ${path.relative(process.cwd(), file)}`);
      if (stack)
        console.log(
          "The running `npm run dev` keeps its contract until it restarts; the restart resets its local index " +
            "and pipeline data for this one.",
        );
    })
    .catch((error: Error) => {
      console.error(`deploy:local failed: ${error.message}`);
      console.error(
        `Is a local chain running at ${rpcUrl}? Start one with \`npm run dev\` or set PONDER_RPC_URL_31337.`,
      );
      process.exit(1);
    });
}

await main();
