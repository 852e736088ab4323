/**
 * `npm run dev`: the whole system on one machine. A local anvil chain (1 s blocks, state kept in
 * .data/anvil), GliskNFT deployed with the keeper granted, Redis (REDIS_URL or its own redis-server),
 * the indexer (`ponder dev`) and the pipeline, each a child process with prefixed output. Ctrl-C
 * stops them in order. Every environment variable reaches the children unchanged; only unset ones
 * get local defaults.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { devPaths } from "../common/local-stack";
import { banner } from "./dev/banner";
import { type Child, killAllOnExit, say, startChild } from "./dev/children";
import { devRedis, emptyQueues } from "./dev/redis";
import { markRunning, markStopped, previousRun, wipeChainState, wipeDerivedState } from "./dev/session";
import { anvilKey } from "./lib/anvil-keys";
import { entryArgs, ponderArgs } from "./lib/launch";
import { ensureLocalDeployment } from "./lib/local-deployment";
import { anvilBinary, waitForPort } from "./lib/processes";

const root = path.resolve(import.meta.dirname, "..");
const paths = devPaths(process.env);
const env = process.env;
const anvilPort = Number(env.ANVIL_PORT || 8545);
const indexerPort = Number(env.INDEXER_PORT || 42069);
const pipelinePort = Number(env.PORT || 42070);
const children: Child[] = [];
killAllOnExit(children);

function adminToken(): string {
  if (env.ADMIN_API_TOKEN) return env.ADMIN_API_TOKEN;
  if (existsSync(paths.adminToken)) return readFileSync(paths.adminToken, "utf8").trim();
  const token = randomBytes(24).toString("hex");
  mkdirSync(paths.data, { recursive: true });
  writeFileSync(paths.adminToken, `${token}\n`, { mode: 0o600 });
  return token;
}

function keeperKey(): string {
  return env.KEEPER_PRIVATE_KEY || anvilKey(1);
}

async function waitForHttp(url: string, child: Child, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) throw new Error(`${child.name} exited with code ${child.process.exitCode}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${child.name} did not answer ${url} within ${timeoutMs / 1000} s`);
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

/** True when something already listens on `port` (any interface, as Ponder and the pipeline bind). */
function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer()
      .once("error", () => resolve(true))
      .once("listening", () => probe.close(() => resolve(false)))
      .listen(port);
  });
}

/**
 * Refuses ports already taken before anything starts. Ponder would otherwise move to the next port,
 * which is the pipeline's by default, and die there with a stack trace instead of a hint.
 */
async function checkPorts() {
  const wanted: [string, number][] = [
    ["ANVIL_PORT", anvilPort],
    ["INDEXER_PORT", indexerPort],
    ["PORT", pipelinePort],
  ];
  const invalid = wanted.filter(([, port]) => !Number.isInteger(port) || port < 1 || port > 65535);
  if (invalid.length > 0)
    throw new Error(
      `${invalid.map(([name]) => `${name}=${env[name]}`).join(", ")}: a port is an integer from 1 to 65535`,
    );
  if (new Set(wanted.map(([, port]) => port)).size < wanted.length)
    throw new Error(`ANVIL_PORT, INDEXER_PORT and PORT must differ (${wanted.map(([, p]) => p).join(", ")})`);
  const taken: string[] = [];
  for (const [name, port] of wanted) if (await portInUse(port)) taken.push(`${port} (${name})`);
  if (taken.length > 0)
    throw new Error(
      `port ${taken.join(", ")} already in use: stop what listens there or set the variable to a free port`,
    );
}

/** anvil with 1 s blocks and its state in .data/anvil: resumed after a clean stop, fresh otherwise. */
async function startLocalChain(mode: "resume" | "clean"): Promise<string> {
  if (mode === "clean") wipeChainState(paths);
  mkdirSync(path.dirname(paths.anvilState), { recursive: true });
  say(mode === "resume" ? "resuming the previous local chain" : "starting a clean local chain");
  const args = ["--host", "127.0.0.1", "--port", String(anvilPort), "--chain-id", "31337", "--block-time", "1"];
  args.push("--state", paths.anvilState);
  // anvil prints every RPC method name and three lines per block; transactions and errors still show.
  const quiet = /^\s*(Block (Number|Hash|Time):.*|[a-z0-9]+_[A-Za-z0-9]+|)\s*$/;
  const anvil = startChild({ name: "anvil", command: anvilBinary(), args, keep: (l) => !quiet.test(l) });
  children.push(anvil);
  await Promise.race([
    waitForPort(anvilPort, { timeoutMs: 20_000 }),
    new Promise((_, reject) =>
      anvil.process.once("exit", (code) =>
        reject(new Error(`anvil exited with code ${code} (is port ${anvilPort} in use? set ANVIL_PORT)`)),
      ),
    ),
  ]);
  return env.PONDER_RPC_URL_31337 || `http://127.0.0.1:${anvilPort}`;
}

/** The recorded GliskNFT when the chain still has it, else a new deployment (and a reset of what derived from the old one). */
async function prepareDeployment(rpcUrl: string, mode: "resume" | "clean") {
  const deployment = await ensureLocalDeployment({ rpcUrl, keeperKey: keeperKey(), file: paths.deployment });
  if (deployment.redeployed) {
    if (mode === "resume")
      say("the recorded contract is missing on this chain: redeployed, local index and pipeline data reset");
    wipeDerivedState(paths);
    if (env.DATABASE_URL) {
      say("warning: DATABASE_URL is set; its indexer and pipeline schemas still hold the previous chain's data");
    }
  }
  say(`GliskNFT at ${deployment.address} (block ${deployment.startBlock}), keeper ${deployment.keeper}`);
  return deployment;
}

/** The indexer (`ponder dev`) and the pipeline as children; either exiting stops everything. */
async function startServices(childEnv: NodeJS.ProcessEnv): Promise<void> {
  // Ponder prefers PORT over --port, and PORT belongs to the pipeline: the indexer gets its own.
  const indexerEnv = { ...childEnv, PORT: String(indexerPort) };
  // Ponder logs every empty block, once a second on anvil, burying the pipeline's lines.
  const emptyBlock = /Indexed block .*\bevent_count=0\b/;
  const indexer = startChild({
    name: "indexer",
    command: process.execPath,
    args: ponderArgs(["dev", "--disable-ui", "--port", String(indexerPort)]),
    cwd: root,
    env: indexerEnv,
    keep: (l) => !emptyBlock.test(l),
  });
  const pipeline = startChild({
    name: "pipeline",
    command: process.execPath,
    args: entryArgs("pipeline"),
    cwd: root,
    env: childEnv,
  });
  children.push(indexer, pipeline);
  for (const child of children) {
    child.process.once("exit", (code, signal) => {
      if (stopping) return;
      say(`${child.name} exited unexpectedly (${signal ?? `code ${code}`})`);
      void stopAll(`${child.name} exited`).then(() => process.exit(1));
    });
  }
  await Promise.all([
    waitForHttp(`http://127.0.0.1:${indexerPort}/health`, indexer),
    waitForHttp(`http://127.0.0.1:${pipelinePort}/health`, pipeline),
  ]);
}

async function main() {
  const mode = previousRun(paths);
  await checkPorts();
  markRunning(paths);
  const rpcUrl = await startLocalChain(mode);
  const deployment = await prepareDeployment(rpcUrl, mode);
  const redisUrl = await devRedis({ env, dir: paths.redis, children });
  // Jobs left in an external Redis belong to the previous chain.
  if (deployment.redeployed && env.REDIS_URL) await emptyQueues(redisUrl, env.QUEUE_PREFIX || "glisk");
  const token = adminToken();
  await startServices({
    GLISK_NETWORK: "anvil",
    GLISK_CONTRACT_ADDRESS: deployment.address,
    GLISK_START_BLOCK: String(deployment.startBlock),
    PONDER_RPC_URL_31337: rpcUrl,
    PONDER_PGLITE_DIR: paths.ponder,
    PIPELINE_DATA_DIR: paths.pipeline,
    IPFS_DATA_DIR: paths.ipfs,
    INDEXER_URL: `http://127.0.0.1:${indexerPort}`,
    KEEPER_PRIVATE_KEY: keeperKey(),
    ADMIN_API_TOKEN: token,
    ...env,
    REDIS_URL: redisUrl,
    PORT: String(pipelinePort),
  });
  const tokenFile = path.relative(root, paths.adminToken);
  const tokenFromEnv = Boolean(env.ADMIN_API_TOKEN);
  console.log(banner({ rpcUrl, token, tokenFromEnv, tokenFile, anvilPort, indexerPort, pipelinePort }));
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
  await stopAll("start-up failed");
  process.exit(1);
});
