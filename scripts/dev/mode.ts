/**
 * What `npm run dev` runs against, decided from the environment before anything starts:
 *
 * - **fork** (ANVIL_FORK_URL set): a local anvil forked from that RPC (at ANVIL_FORK_BLOCK, else its
 *   head), with the network's deployment: the GLISK_NETWORK preset (default: the preset of the forked
 *   chain's id) or GLISK_CONTRACT_ADDRESS + GLISK_START_BLOCK. Nothing is deployed.
 * - **existing** (GLISK_CONTRACT_ADDRESS set, or GLISK_NETWORK=base / base-sepolia): no anvil, no
 *   deployment; the indexer and the pipeline use PONDER_RPC_URL_<chainId> and KEEPER_PRIVATE_KEY.
 * - **local** (otherwise): dev's own anvil with the twin deployed, as before.
 */
import { type Network, type NetworkName, networks, resolveNetwork } from "../../common/network";
import { maskUrl } from "../../common/secrets";

export type DevMode =
  | { kind: "local" }
  | { kind: "fork"; forkUrl: string; forkBlock: number | undefined; network: Network }
  | { kind: "existing"; network: Network };

async function chainIdOf(url: string): Promise<number> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    signal: AbortSignal.timeout(15_000),
  }).catch((error: Error) => {
    throw new Error(
      `cannot reach ANVIL_FORK_URL (${maskUrl(url)}): ${(error.cause as Error)?.message ?? error.message}`,
    );
  });
  const body = (await response.json().catch(() => ({}))) as { result?: string };
  if (!response.ok || typeof body.result !== "string")
    throw new Error(`ANVIL_FORK_URL (${maskUrl(url)}) did not answer eth_chainId (HTTP ${response.status})`);
  return Number(body.result);
}

const presetFor = (chainId: number) =>
  (Object.keys(networks) as NetworkName[]).find((name) => networks[name].chainId === chainId);

/** The network for fork or existing mode; `rpcUrl` replaces the chain's RPC (the fork's local URL). */
function deploymentOf(env: NodeJS.ProcessEnv, name: NetworkName, rpcUrl?: string): Network {
  const { chainId, address } = networks[name];
  if (!address && !env.GLISK_CONTRACT_ADDRESS) {
    throw new Error(
      `chain ${chainId} (${name}) has no preset deployment: set GLISK_CONTRACT_ADDRESS and GLISK_START_BLOCK`,
    );
  }
  const rpc = rpcUrl ? { [`PONDER_RPC_URL_${chainId}`]: rpcUrl } : {};
  // No deployments/anvil.json fallback: that file records the local twin, not this deployment.
  return resolveNetwork({ ...env, ...rpc, GLISK_NETWORK: name }, "/nonexistent/deployment.json");
}

async function forkMode(env: NodeJS.ProcessEnv, anvilPort: number): Promise<DevMode> {
  const forkUrl = env.ANVIL_FORK_URL as string;
  if (!/^https?:\/\//.test(forkUrl)) throw new Error("ANVIL_FORK_URL must be an http(s) URL");
  const rawBlock = env.ANVIL_FORK_BLOCK?.trim();
  const forkBlock = rawBlock ? Number(rawBlock) : undefined;
  if (forkBlock !== undefined && (!Number.isSafeInteger(forkBlock) || forkBlock < 0))
    throw new Error(`ANVIL_FORK_BLOCK must be a block number (got "${rawBlock}")`);
  const chainId = await chainIdOf(forkUrl);
  const name = (env.GLISK_NETWORK || presetFor(chainId)) as NetworkName | undefined;
  if (!name || !networks[name]) {
    throw new Error(
      `ANVIL_FORK_URL serves chain ${chainId}, which has no GLISK network preset ` +
        `(${Object.entries(networks)
          .map(([n, p]) => `${n} ${p.chainId}`)
          .join(", ")}); set GLISK_NETWORK to one of them or fork another chain`,
    );
  }
  if (networks[name].chainId !== chainId)
    throw new Error(
      `ANVIL_FORK_URL serves chain ${chainId}, but GLISK_NETWORK=${name} is chain ${networks[name].chainId}`,
    );
  const network = deploymentOf(env, name, `http://127.0.0.1:${anvilPort}`);
  return { kind: "fork", forkUrl, forkBlock, network };
}

function existingMode(env: NodeJS.ProcessEnv): DevMode {
  const name = (env.GLISK_NETWORK || "anvil") as NetworkName;
  if (!networks[name]) throw new Error(`GLISK_NETWORK must be one of ${Object.keys(networks).join(", ")}`);
  let network: Network;
  try {
    network = deploymentOf(env, name);
  } catch (error) {
    const problems = (error as Error).message.replace(/^Invalid network configuration:\n/, "").split("\n");
    throw new Error(
      `npm run dev against the existing deployment of ${name} cannot start:\n` +
        `${problems.map((p) => `  - ${p.replace(/^- /, "")}`).join("\n")}\n` +
        "  (or set ANVIL_FORK_URL=<rpc> to run on a local fork of it instead)",
    );
  }
  if (network.chainId !== 31337 && !env.KEEPER_PRIVATE_KEY?.trim()) {
    throw new Error(
      `KEEPER_PRIVATE_KEY is required against the existing deployment ${network.address} on chain ${network.chainId}: ` +
        "the key of a wallet holding KEEPER_ROLE there (there is no default key off a local chain)",
    );
  }
  return { kind: "existing", network };
}

/** Decides the mode; throws one readable error when the settings do not add up. */
export async function resolveDevMode(env: NodeJS.ProcessEnv, { anvilPort }: { anvilPort: number }): Promise<DevMode> {
  if (env.ANVIL_FORK_URL?.trim()) return forkMode(env, anvilPort);
  const name = env.GLISK_NETWORK || "anvil";
  if (env.GLISK_CONTRACT_ADDRESS?.trim() || name !== "anvil") return existingMode(env);
  const own = [`http://127.0.0.1:${anvilPort}`, `http://localhost:${anvilPort}`];
  const rpc = env.PONDER_RPC_URL_31337?.trim().replace(/\/$/, "");
  if (rpc && !own.includes(rpc)) {
    throw new Error(
      `PONDER_RPC_URL_31337=${maskUrl(rpc)} names a chain of your own, not the anvil npm run dev starts on ` +
        `ANVIL_PORT ${anvilPort}: set GLISK_CONTRACT_ADDRESS (and GLISK_START_BLOCK) to run against a deployment ` +
        "on it, or unset PONDER_RPC_URL_31337",
    );
  }
  return { kind: "local" };
}
