/**
 * `npm run dev`: the whole system on one machine, against one of three chains (dev/mode.ts):
 * its own anvil with the twin deployed (local, the default), a local anvil fork of a network with that
 * network's deployment (ANVIL_FORK_URL), or an existing deployment without any anvil
 * (GLISK_CONTRACT_ADDRESS or GLISK_NETWORK=base|base-sepolia). Then Redis (REDIS_URL or its own
 * redis-server), the indexer (`ponder dev`) and the pipeline, each a child process with prefixed
 * output. Ctrl-C stops them in order. Every environment variable reaches the children; dev decides only
 * the chain, the contract, the Redis URL and the pipeline's port, and fills in unset local defaults.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { getAddress } from "viem";
import { type DevPaths, devPaths } from "../common/local-stack";
import { maskUrl, secretValuesOfEnv } from "../common/secrets";
import { banner } from "./dev/banner";
import { startChain } from "./dev/chain";
import { checkSettings } from "./dev/check-settings";
import { type Child, killAllOnExit, say } from "./dev/children";
import { type DevDeployment, prepareDeployment } from "./dev/deployment";
import { stopLeftovers } from "./dev/leftovers";
import { type DevMode, resolveDevMode, stackDirName } from "./dev/mode";
import { checkPorts } from "./dev/ports";
import { devRedis, emptyQueues } from "./dev/redis";
import { type ServicesParameters, startIndexer, startServices } from "./dev/services";
import { markRunning, markStopped, previousRun, readSession, recordChild, recordStack } from "./dev/session";
import { anvilKey } from "./lib/glisk";
import { watchIndexerStalls } from "./lib/indexer-watch";

const root = path.resolve(import.meta.dirname, "..");
const paths = devPaths(process.env);
const env = process.env;
const anvilPort = Number(env.ANVIL_PORT || 8545);
const indexerPort = Number(env.INDEXER_PORT || 42069);
const pipelinePort = Number(env.PORT || 42070);
const children: Child[] = [];
killAllOnExit(children);
const record = (child: Child) =>
  recordChild(paths, { name: child.name, pid: child.process.pid ?? 0, identity: child.identity });

function adminToken(): string {
  if (env.ADMIN_API_TOKEN) return env.ADMIN_API_TOKEN;
  if (existsSync(paths.adminToken)) return readFileSync(paths.adminToken, "utf8").trim();
  // Required here, not imported: an ES import of node:crypto loads WebCrypto as well, ~2 MB kept for
  // as long as the stack runs, to make one token on the first run.
  const { randomBytes } = createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
  const token = randomBytes(24).toString("hex");
  mkdirSync(paths.data, { recursive: true });
  writeFileSync(paths.adminToken, `${token}\n`, { mode: 0o600 });
  return token;
}

/** Where the mode keeps its chain and derived state: the top of the data dir locally, a folder per deployment otherwise. */
function stackPaths(mode: DevMode): DevPaths {
  const name = stackDirName(mode);
  if (!name) return paths;
  const dir = path.join(paths.data, name);
  const [redis, ponder, pipeline, ipfs] = ["redis", "ponder", "pipeline", "ipfs"].map((d) => path.join(dir, d));
  return { ...paths, anvilState: path.join(dir, "anvil", "state.json"), redis, ponder, pipeline, ipfs } as DevPaths;
}

let stopping: Promise<void> | undefined;
/** Stops the services that depend on the chain first, then Redis, then anvil (which dumps its state). */
function stopAll(reason: string): Promise<void> {
  stopping ??= (async () => {
    say(`stopping (${reason})…`);
    const byName = (n: string) => children.filter((c) => c.name === n);
    await Promise.all([...byName("pipeline"), ...byName("indexer")].map((c) => c.stop()));
    await Promise.all(byName("redis").map((c) => c.stop()));
    await Promise.all(byName("anvil").map((c) => c.stop()));
    markStopped(paths);
    say("stopped");
  })();
  return stopping;
}

/** Children being replaced on purpose: their exit stops nothing. */
const replaced = new Set<Child>();

/** A child that dies on its own takes the whole stack down with it: dev never runs half a system. */
function stopAllWhenExited(child: Child) {
  child.process.once("exit", (code, signal) => {
    if (stopping || replaced.has(child)) return;
    say(`${child.name} exited unexpectedly (${signal ?? `code ${code}`})`);
    void stopAll(`${child.name} exited`).then(() => process.exit(1));
  });
}

/** Replaces an indexer that stopped following the chain (scripts/lib/indexer-watch.ts). */
async function restartIndexer(services: ServicesParameters, reason: string) {
  const old = children.find((c) => c.name === "indexer");
  if (!old || stopping) return;
  say(`restarting the indexer: ${reason}`);
  replaced.add(old);
  await old.stop();
  if (stopping) return;
  const fresh = startIndexer(services);
  children.splice(children.indexOf(old), 1, fresh);
  record(fresh);
  stopAllWhenExited(fresh);
}

type Target = { name: string; chainId: number; address: string; startBlock: number; rpcUrl: string };

/** The children's environment: local defaults, then the caller's environment, then what dev decided. */
function serviceEnv(mode: DevMode, t: Target, extra: { keeperKey: string; redisUrl: string; token: string }) {
  const stack = stackPaths(mode);
  return {
    PONDER_PGLITE_DIR: stack.ponder,
    PIPELINE_DATA_DIR: stack.pipeline,
    IPFS_DATA_DIR: stack.ipfs,
    INDEXER_URL: `http://127.0.0.1:${indexerPort}`,
    KEEPER_PRIVATE_KEY: extra.keeperKey,
    ADMIN_API_TOKEN: extra.token,
    // A fork makes a block a second, as the local chain does.
    ...(mode.kind === "fork" ? { PONDER_POLLING_INTERVAL_MS: "200" } : {}),
    ...env,
    GLISK_NETWORK: t.name,
    GLISK_CONTRACT_ADDRESS: t.address,
    GLISK_START_BLOCK: String(t.startBlock),
    [`PONDER_RPC_URL_${t.chainId}`]: t.rpcUrl,
    REDIS_URL: extra.redisUrl,
    PORT: String(pipelinePort),
    // On a fork, only the dev keeper signs (dev/deployment.ts says why).
    ...(mode.kind === "fork" ? { KEEPER_PRIVATE_KEY: extra.keeperKey } : {}),
  };
}

/** The target as far as it is known before anything starts (the local twin's address comes later). */
function provisionalTarget(mode: DevMode): Target {
  if (mode.kind !== "local") return { ...mode.network, rpcUrl: mode.network.rpcUrl };
  const local = { name: "anvil", chainId: 31337, address: `0x${"1".repeat(40)}`, startBlock: 0 };
  return { ...local, rpcUrl: `http://127.0.0.1:${anvilPort}` };
}

/** Everything before a process starts: another run, leftovers, the mode, settings, ports. */
async function preflight(): Promise<{ mode: DevMode; previous: "resume" | "clean" }> {
  const previous = previousRun(paths);
  await stopLeftovers(paths, say);
  const mode = await resolveDevMode(env, { anvilPort });
  if (mode.kind === "fork" && env.DATABASE_URL)
    throw new Error(
      "fork mode starts from a fresh fork every run, and DATABASE_URL's schemas would keep the previous fork's " +
        "state: unset DATABASE_URL (dev then keeps embedded PGlite databases under GLISK_DEV_DIR)",
    );
  const keeperKey = mode.kind !== "fork" && env.KEEPER_PRIVATE_KEY ? env.KEEPER_PRIVATE_KEY : anvilKey(1);
  const provisional = { keeperKey, redisUrl: "redis://127.0.0.1:6379" };
  checkSettings(serviceEnv(mode, provisionalTarget(mode), { ...provisional, token: "x".repeat(32) }));
  await checkPorts({ mode, env, ports: { ANVIL_PORT: anvilPort, INDEXER_PORT: indexerPort, PORT: pipelinePort } });
  return { mode, previous };
}

async function main() {
  const previousStack = readSession(paths)?.stack;
  const { mode, previous } = await preflight();
  markRunning(paths);
  const stack = stackPaths(mode);
  const chain = await startChain({ mode, paths: stack, anvilPort, previous, children, onStart: record });
  const deployment: DevDeployment = await prepareDeployment({
    mode,
    chain,
    paths: stack,
    previous,
    previousStack,
    env,
  });
  recordStack(paths, {
    mode: mode.kind,
    chainId: deployment.chainId,
    address: getAddress(deployment.address),
    startBlock: deployment.startBlock,
    rpcUrl: chain.anvil ? chain.rpcUrl : null,
  });
  const redisUrl = await devRedis({ env, dir: stack.redis, children, onStart: record });
  // Jobs left in an external Redis belong to the previous chain or contract.
  if (deployment.reset && env.REDIS_URL) await emptyQueues(redisUrl, env.QUEUE_PREFIX || "glisk");
  const token = adminToken();
  const name = mode.kind === "local" ? "anvil" : mode.network.name;
  const target = { name, ...deployment, rpcUrl: chain.rpcUrl };
  const childEnv = serviceEnv(mode, target, { keeperKey: deployment.keeperKey, redisUrl, token });
  checkSettings(childEnv);
  // Every line a child prints passes the same scrubbing as npm start's: keys, tokens, URL credentials.
  const redact = secretValuesOfEnv({ ...env, ...childEnv });
  const services = { env: childEnv, root, indexerPort, pipelinePort, children, onStart: record, redact };
  const started = startServices(services);
  for (const child of children) stopAllWhenExited(child);
  await started;
  const watch = watchIndexerStalls(childEnv, {
    indexerUrl: `http://127.0.0.1:${indexerPort}`,
    answering: true, // startServices waited for it
    onStall: (reason) => void restartIndexer(services, reason),
  });
  process.once("exit", () => watch?.stop());
  const tokenFile = path.relative(root, paths.adminToken);
  const tokenFromEnv = Boolean(env.ADMIN_API_TOKEN);
  const chainLine =
    mode.kind === "fork"
      ? `local fork of chain ${deployment.chainId} (${name}) from ${maskUrl(mode.forkUrl)} at block ${chain.forkBlock}: ${chain.rpcUrl}`
      : mode.kind === "existing"
        ? `chain ${deployment.chainId} (${name}) at ${maskUrl(chain.rpcUrl)}: an existing deployment, no local chain`
        : `anvil, local: ${chain.rpcUrl}`;
  const contract = `${getAddress(deployment.address)} (from block ${deployment.startBlock}), keeper ${deployment.keeper}`;
  const ports = { anvilPort, indexerPort, pipelinePort, devDir: env.GLISK_DEV_DIR };
  console.log(banner({ mode: mode.kind, chainLine, contract, token, tokenFromEnv, tokenFile, ...ports }));
}

// One Ctrl-C can arrive several times: from the terminal to the whole foreground group, and again
// relayed by npm and tsx. Repeats within this window are that same keypress, not a second one.
const REPEAT_WINDOW_MS = 1_500;
let firstSignalAt = 0;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (stopping) {
      if (Date.now() - firstSignalAt < REPEAT_WINDOW_MS) return;
      say("second interrupt: killing everything");
      process.exit(130);
    }
    firstSignalAt = Date.now();
    void stopAll(signal).then(() => process.exit(0));
  });
}

main().catch(async (error: Error) => {
  say(`error: ${error.message}`);
  // Refused before anything started: nothing to stop, and nothing more to say.
  if (children.length > 0) await stopAll("start-up failed");
  else markStopped(paths);
  process.exit(1);
});
