/**
 * The environment `npm run dev` gives the indexer and the pipeline. Shared by the supervisor (the
 * children's real environment) and its settings check (scripts/dev/steps.ts), so both see the same.
 */
import type { DevPaths } from "../../common/local-stack";
import type { DevMode } from "./mode";
import { stackPaths } from "./stack-paths";

/** The chain and contract the services use. */
export type Target = { name: string; chainId: number; address: string; startBlock: number; rpcUrl: string };

export type DevPorts = { anvilPort: number; indexerPort: number; pipelinePort: number };

export type ServiceEnvParameters = {
  /** dev's own environment: every variable reaches the children. */
  env: NodeJS.ProcessEnv;
  mode: DevMode;
  paths: DevPaths;
  ports: DevPorts;
  target: Target;
  keeperKey: string;
  redisUrl: string;
  token: string;
};

/** The children's environment: local defaults, then the caller's environment, then what dev decided. */
export function serviceEnv(p: ServiceEnvParameters): NodeJS.ProcessEnv {
  const { mode, target: t, ports } = p;
  const stack = stackPaths(p.paths, mode);
  return {
    PONDER_PGLITE_DIR: stack.ponder,
    PIPELINE_DATA_DIR: stack.pipeline,
    IPFS_DATA_DIR: stack.ipfs,
    INDEXER_URL: `http://127.0.0.1:${ports.indexerPort}`,
    KEEPER_PRIVATE_KEY: p.keeperKey,
    ADMIN_API_TOKEN: p.token,
    // A fork makes a block a second, as the local chain does.
    ...(mode.kind === "fork" ? { PONDER_POLLING_INTERVAL_MS: "200" } : {}),
    ...p.env,
    GLISK_NETWORK: t.name,
    GLISK_CONTRACT_ADDRESS: t.address,
    GLISK_START_BLOCK: String(t.startBlock),
    [`PONDER_RPC_URL_${t.chainId}`]: t.rpcUrl,
    REDIS_URL: p.redisUrl,
    PORT: String(ports.pipelinePort),
    // On a fork, only the dev keeper signs (dev/deployment.ts says why).
    ...(mode.kind === "fork" ? { KEEPER_PRIVATE_KEY: p.keeperKey } : {}),
  };
}

/** The target as far as it is known before anything starts (the local twin's address comes later). */
export function provisionalTarget(mode: DevMode, { anvilPort }: Pick<DevPorts, "anvilPort">): Target {
  if (mode.kind !== "local") return { ...mode.network, rpcUrl: mode.network.rpcUrl };
  const local = { name: "anvil", chainId: 31337, address: `0x${"1".repeat(40)}`, startBlock: 0 };
  return { ...local, rpcUrl: `http://127.0.0.1:${anvilPort}` };
}
