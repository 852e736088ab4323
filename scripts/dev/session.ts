/**
 * Whether `npm run dev` resumes the previous local chain or starts clean. It resumes only when the
 * previous run shut down in order (anvil dumped its state after the indexer and the pipeline had
 * stopped); after a crash, or when the chain no longer has the recorded contract, every piece of local
 * state is wiped together so the chain, the indexer and the pipeline never disagree.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { DevPaths } from "../../common/local-stack";

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
