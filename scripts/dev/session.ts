/**
 * Whether `npm run dev` resumes the previous local chain or starts clean. It resumes only when the
 * previous run shut down in order (anvil dumped its state after the indexer and the pipeline had
 * stopped); after a crash, or when the chain no longer has the recorded contract, every piece of local
 * state is wiped together so the chain, the indexer and the pipeline never disagree.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { localDeploymentFile } from "../../common/network";

export type DevPaths = ReturnType<typeof devPaths>;

/**
 * Where `npm run dev` keeps its state: `.data/` and deployments/anvil.json, or everything under
 * GLISK_DEV_DIR when set (the end-to-end test runs a second stack there without touching yours).
 */
export function devPaths(env: NodeJS.ProcessEnv = process.env) {
  const root = path.resolve(import.meta.dirname, "../..");
  const data = env.GLISK_DEV_DIR ? path.resolve(env.GLISK_DEV_DIR) : path.join(root, ".data");
  return {
    data,
    deployment: env.GLISK_DEV_DIR ? path.join(data, "deployment.json") : localDeploymentFile,
    anvilState: path.join(data, "anvil", "state.json"),
    redis: path.join(data, "redis"),
    ponder: path.join(data, "ponder"),
    pipeline: path.join(data, "pipeline"),
    ipfs: path.join(data, "ipfs"),
    session: path.join(data, "dev-session.json"),
    adminToken: path.join(data, "admin-token"),
  };
}

type Session = { pid: number; running: boolean; startedAt: string; stoppedAt?: string };

function readSession(paths: DevPaths): Session | undefined {
  try {
    return JSON.parse(readFileSync(paths.session, "utf8")) as Session;
  } catch {
    return undefined;
  }
}

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** "resume" when the last run stopped cleanly and left a chain state; throws if another run is live. */
export function previousRun(paths: DevPaths): "resume" | "clean" {
  const session = readSession(paths);
  if (session?.running && session.pid !== process.pid && pidAlive(session.pid)) {
    throw new Error(`another \`npm run dev\` is running (pid ${session.pid}); stop it first (Ctrl-C in its terminal)`);
  }
  return session && !session.running && existsSync(paths.anvilState) ? "resume" : "clean";
}

/** Removes the local chain's state and everything derived from it. */
export function wipeChainState(paths: DevPaths) {
  rmSync(path.dirname(paths.anvilState), { recursive: true, force: true });
  wipeDerivedState(paths);
}

/** Removes what the indexer and the pipeline derived from the chain (kept: the chain itself). */
export function wipeDerivedState(paths: DevPaths) {
  for (const dir of [paths.redis, paths.ponder, paths.pipeline, paths.ipfs])
    rmSync(dir, { recursive: true, force: true });
}

export function markRunning(paths: DevPaths) {
  mkdirSync(paths.data, { recursive: true });
  const session: Session = { pid: process.pid, running: true, startedAt: new Date().toISOString() };
  writeFileSync(paths.session, JSON.stringify(session));
}

export function markStopped(paths: DevPaths) {
  const session = readSession(paths);
  // A second `npm run dev` refused at start-up must not mark the live run's session as stopped: if that
  // run then crashed, the next one would resume a chain whose derived state no longer matches.
  if (!session || session.pid !== process.pid) return;
  writeFileSync(paths.session, JSON.stringify({ ...session, running: false, stoppedAt: new Date().toISOString() }));
}
