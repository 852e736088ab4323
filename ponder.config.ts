import { createConfig } from "ponder";
import { GliskNFTAbi } from "./abis/GliskNFTAbi";
import { keepWasmBaseline } from "./common/pglite-memory";
import { config } from "./indexer/config";

const { network } = config;
// Ponder creates its embedded PGlite after reading this file: set before, the flags keep its peak low.
if (!config.DATABASE_URL) keepWasmBaseline();

export default createConfig({
  database: config.DATABASE_URL
    ? { kind: "postgres", connectionString: config.DATABASE_URL }
    : { kind: "pglite", directory: config.PONDER_PGLITE_DIR },
  // The chain is named after GLISK_NETWORK so logs and metrics say which deployment they index.
  chains: {
    [network.name]: {
      id: network.chainId,
      rpc: network.rpcUrl,
      pollingInterval: config.pollingIntervalMs,
      ethGetLogsBlockRange: config.getLogsBlockRange,
    },
  },
  contracts: {
    GliskNFT: {
      abi: GliskNFTAbi,
      chain: network.name,
      address: network.address,
      startBlock: network.startBlock,
    },
  },
});
