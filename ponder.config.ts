import { createConfig } from "ponder";
import { GliskNFTAbi } from "./abis/GliskNFTAbi";
import { keepWasmBaseline } from "./common/pglite-memory";
import { config } from "./indexer/config";
import { resilientTransport } from "./indexer/rpc-transport";

const { network } = config;
// Ponder creates its embedded PGlite after reading this file: set before, the flags keep its peak low.
if (!config.DATABASE_URL) keepWasmBaseline();

export default createConfig({
  database: config.databaseUrl
    ? { kind: "postgres", connectionString: config.databaseUrl }
    : { kind: "pglite", directory: config.PONDER_PGLITE_DIR },
  // The chain is named after GLISK_NETWORK so logs and metrics say which deployment they index.
  chains: {
    [network.name]: {
      id: network.chainId,
      // HTTP through a transport that keeps an RPC outage from throttling Ponder for minutes after it.
      rpc: /^https?:/.test(network.rpcUrl) ? resilientTransport(network.rpcUrl, config.RPC_TIMEOUT_MS) : network.rpcUrl,
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
