/**
 * `npm run dev`: the whole system on one machine, against one of three chains (dev/mode.ts):
 * its own anvil with the twin deployed (local, the default), a local anvil fork of a network with that
 * network's deployment (ANVIL_FORK_URL), or an existing deployment without any anvil
 * (GLISK_CONTRACT_ADDRESS or GLISK_NETWORK=base|base-sepolia). Then Redis (REDIS_URL or its own
 * redis-server), the indexer (`ponder dev`) and the pipeline, each a child process with prefixed
 * output. Ctrl-C stops them in order. Every environment variable reaches the children; dev decides only
 * the chain, the contract, the Redis URL and the pipeline's port, and fills in unset local defaults.
 *
 * The supervisor lives as long as the stack, so it loads no viem, zod, ioredis or BullMQ: the start-up
 * steps that need them (the mode, the deployment, the settings checks) run in short-lived children
 * (dev/run-step.ts). `npm run dev` also starts it with --max-opt=1 (V8's interpreter and baseline
 * compiler only): forwarding lines needs no optimising compiler, whose code and memory would add about
 * 4 MB resident (npm run bench:dev-memory).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { devPaths } from "../common/local-stack";
import { maskUrl, secretValuesOfEnv } from "../common/secrets";
import { banner } from "./dev/banner";
import { startChain } from "./dev/chain";
import { type Child, killAllOnExit, say } from "./dev/children";
import { stopLeftovers } from "./dev/leftovers";
import type { DevMode } from "./dev/mode";
import { checkPorts } from "./dev/ports";
import { devRedis } from "./dev/redis";
import { runStep } from "./dev/run-step";
import { serviceEnv } from "./dev/service-env";
import { type ServicesParameters, startIndexer, startServices } from "./dev/services";
import { markRunning, markStopped, previousRun, readSession, recordChild, recordStack } from "./dev/session";
import { stackPaths } from "./dev/stack-paths";
import { watchIndexer } from "./lib/indexer-watch";
import { projectRoot } from "./lib/project-root";

// The same from the sources and from the bundle in dist/.
const root = projectRoot;
const paths = devPaths(process.env);
const env = process.env;
const anvilPort = Number(env.ANVIL_PORT || 8545);
const indexerPort = Number(env.INDEXER_PORT || 42069);
const pipelinePort = Number(env.PORT || 42070);
const ports = { anvilPort, indexerPort, pipelinePort };
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

/** Everything before a process starts: another run, leftovers, the mode, settings, ports. */
async function preflight(): Promise<{ mode: DevMode; previous: "resume" | "clean" }> {
  const previous = previousRun(paths);
  await stopLeftovers(paths, say);
  // The mode and the settings as far as known, checked by the indexer's and the pipeline's own parsers.
  const mode = await runStep("preflight", { env, paths, ports });
  await checkPorts({ mode, env, ports: { ANVIL_PORT: anvilPort, INDEXER_PORT: indexerPort, PORT: pipelinePort } });
  return { mode, previous };
}

async function main() {
  const previousStack = readSession(paths)?.stack;
  const { mode, previous } = await preflight();
  markRunning(paths);
  const stack = stackPaths(paths, mode);
  const chain = await startChain({ mode, paths: stack, anvilPort, previous, children, onStart: record });
  const deployment = await runStep("deployment", { mode, chain, paths: stack, previous, previousStack, env });
  recordStack(paths, {
    mode: mode.kind,
    chainId: deployment.chainId,
    address: deployment.address,
    startBlock: deployment.startBlock,
    rpcUrl: chain.anvil ? chain.rpcUrl : null,
  });
  const redisUrl = await devRedis({ env, dir: stack.redis, children, onStart: record });
  // Jobs left in an external Redis belong to the previous chain or contract.
  if (deployment.reset && env.REDIS_URL)
    await runStep("empty-queues", { url: redisUrl, prefix: env.QUEUE_PREFIX || "glisk" });
  const token = adminToken();
  const name = mode.kind === "local" ? "anvil" : mode.network.name;
  const target = { name, ...deployment, rpcUrl: chain.rpcUrl };
  const keeperKey = deployment.keeperKey;
  const childEnv = serviceEnv({ env, mode, paths, ports, target, keeperKey, redisUrl, token });
  const stallWatch = await runStep("settings", { env: childEnv });
  // Every line a child prints passes the same scrubbing as npm start's: keys, tokens, URL credentials.
  const redact = secretValuesOfEnv({ ...env, ...childEnv });
  const services = { env: childEnv, root, indexerPort, pipelinePort, children, onStart: record, redact };
  const started = startServices(services);
  for (const child of children) stopAllWhenExited(child);
  await started;
  const watch =
    stallWatch &&
    watchIndexer({
      ...stallWatch,
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
  const contract = `${deployment.address} (from block ${deployment.startBlock}), keeper ${deployment.keeper}`;
  const shown = { ...ports, devDir: env.GLISK_DEV_DIR };
  console.log(banner({ mode: mode.kind, chainLine, contract, token, tokenFromEnv, tokenFile, ...shown }));
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
