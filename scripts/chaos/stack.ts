/**
 * The production shape the chaos run breaks: the services (services.ts), GliskNFT deployed with the
 * keeper granted, `ponder start` and the pipeline each under the project's supervisor with
 * NODE_ENV=production, both reading the chain through the RPC proxy, the pipeline generating on the
 * fake Replicate and pinning to its local IPFS store. Authors' prompts are set through the admin API.
 */
import path from "node:path";
import type { Address } from "viem";
import { anvilAccount, anvilKey, deployGlisk, waitFor } from "../lib/glisk";
import { freePort } from "../lib/processes";
import { type ChaosServices, startServices, VIEWS_SCHEMA } from "./services";
import { type SupervisedRole, startSupervised } from "./supervised";

export const KEEPER = anvilAccount(1).address;
const ADMIN_TOKEN = `chaos-admin-${Math.random().toString(36).slice(2)}-token`;

export type ChaosStack = ChaosServices & {
  contract: Address;
  indexer: SupervisedRole;
  /** The pipeline replicas running now; the first one runs for the whole run. */
  pipelines: SupervisedRole[];
  /** Every role ever started, for the figures and the final stop. */
  roles: SupervisedRole[];
  /** Starts one more pipeline replica and waits until it is ready. */
  addReplica: () => Promise<SupervisedRole>;
  /** Stops a replica cleanly (SIGTERM to its supervisor). */
  removeReplica: (replica: SupervisedRole) => Promise<void>;
  setPrompt: (author: Address, prompt: string) => Promise<void>;
  stop: () => Promise<void>;
};

/** The environment production would give `npm start`, on this machine's services; nothing from the caller's shell but PATH. */
function productionEnv(
  s: ChaosServices,
  p: { contract: Address; startBlock: number; dir: string; indexerPort: number },
) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    LOG_LEVEL: "info",
    PONDER_LOG_LEVEL: "info",
    PONDER_TELEMETRY_DISABLED: "true",
    NO_COLOR: "1",
    GLISK_NETWORK: "anvil",
    PONDER_RPC_URL_31337: s.rpc.url(),
    GLISK_CONTRACT_ADDRESS: p.contract,
    GLISK_START_BLOCK: String(p.startBlock),
    DATABASE_URL: s.urls.pipeline,
    INDEXER_DATABASE_URL: s.urls.indexer,
    REDIS_URL: s.redis.url,
    PONDER_SCHEMA: "glisk_chaos",
    PONDER_VIEWS_SCHEMA: VIEWS_SCHEMA,
    INDEXER_PORT: String(p.indexerPort),
    ADMIN_API_TOKEN: ADMIN_TOKEN,
    KEEPER_PRIVATE_KEY: anvilKey(1),
    ...s.replicate.env,
    IPFS_PROVIDER: "local",
    IPFS_DATA_DIR: path.join(p.dir, "ipfs"),
  };
}

const status = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
    (r) => r.status,
    () => 0,
  );

/** Waits until `url` answers 200, failing early with the role's last lines if its supervisor exits. */
async function waitReady(role: SupervisedRole, url: string): Promise<void> {
  await waitFor(
    async () => {
      if (role.supervisor.exitCode !== null) throw new Error(`${role.name}'s supervisor exited`);
      return (await status(url)) === 200;
    },
    { timeoutMs: 120_000, intervalMs: 250, message: `${role.name} ready at ${url}` },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n--- last lines of ${role.name} ---\n${role.tail()}`);
  });
}

/** Starts the whole stack; `stop()` leaves nothing running, whatever state it is in. */
export async function startStack(p: { dir: string }): Promise<ChaosStack> {
  const services = await startServices({ dir: p.dir });
  const roles: SupervisedRole[] = [];
  const stop = async () => {
    await Promise.all(roles.map((r) => r.stop()));
    await services.stop();
  };
  try {
    const { address: contract, startBlock } = await deployGlisk({ rpcUrl: services.anvil.url, keeper: KEEPER });
    const indexerPort = await freePort();
    const env = productionEnv(services, { contract, startBlock, dir: p.dir, indexerPort });
    const indexer = startSupervised({ name: "indexer", role: "indexer", env, logDir: p.dir });
    roles.push(indexer);
    await waitReady(indexer, `http://127.0.0.1:${indexerPort}/ready`);
    const pipelines: SupervisedRole[] = [];
    const replicaPorts = new Map<SupervisedRole, number>();
    const addReplica = async () => {
      const port = await freePort();
      const name = pipelines.length === 0 ? "pipeline" : `pipeline-${roles.length}`;
      const replica = startSupervised({ name, role: "pipeline", env: { ...env, PORT: String(port) }, logDir: p.dir });
      roles.push(replica);
      pipelines.push(replica);
      replicaPorts.set(replica, port);
      await waitReady(replica, `http://127.0.0.1:${port}/health/ready`);
      return replica;
    };
    const removeReplica = async (replica: SupervisedRole) => {
      pipelines.splice(pipelines.indexOf(replica), 1);
      await replica.stop();
    };
    await addReplica();
    const adminUrl = `http://127.0.0.1:${replicaPorts.get(pipelines[0] as SupervisedRole)}/admin`;
    const setPrompt = async (author: Address, prompt: string) => {
      const response = await fetch(`${adminUrl}/authors/${author}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ prompt }),
      });
      if (!response.ok) throw new Error(`setting the prompt of ${author}: HTTP ${response.status}`);
    };
    return { ...services, contract, indexer, pipelines, roles, addReplica, removeReplica, setPrompt, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
