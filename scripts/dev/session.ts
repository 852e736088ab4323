/**
 * The session file of `npm run dev` (dev-session.json): whether a run is live, the children it started
 * (so the next run can stop those a killed run left behind), and the stack it runs (so `npm run mint`
 * finds the chain and the contract in every mode).
 *
 * Whether dev resumes the previous local chain or starts clean: it resumes only when the previous
 * run shut down in order (anvil dumped its state after the indexer and the pipeline had stopped);
 * after a crash, or when the chain no longer has the recorded contract, every piece of local state is
 * wiped together so the chain, the indexer and the pipeline never disagree.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { DevPaths } from "../../common/local-stack";

/** A child as recorded: its process group id and the fragments its command line must contain. */
export type RecordedChild = { name: string; pid: number; identity: string[] };

/** What a run serves: enough for `npm run mint` to reach its chain and contract. */
export type StackRecord = {
  mode: "local" | "fork" | "existing";
  chainId: number;
  address: string;
  startBlock: number;
  /** The local chain (local and fork modes); null against an existing deployment. */
  rpcUrl: string | null;
};

export type Session = {
  pid: number;
  running: boolean;
  startedAt: string;
  stoppedAt?: string;
  children?: RecordedChild[];
  stack?: StackRecord;
};

export function readSession(paths: DevPaths): Session | undefined {
  try {
    return JSON.parse(readFileSync(paths.session, "utf8")) as Session;
  } catch {
    return undefined;
  }
}

const writeSession = (paths: DevPaths, session: Session) => writeFileSync(paths.session, JSON.stringify(session));

export const pidAlive = (pid: number) => {
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

/** The children recorded by a run that died without stopping them (its own pid is gone). */
export function orphanedChildren(paths: DevPaths): RecordedChild[] {
  const session = readSession(paths);
  if (!session?.running || session.pid === process.pid || pidAlive(session.pid)) return [];
  return session.children ?? [];
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
  writeSession(paths, { pid: process.pid, running: true, startedAt: new Date().toISOString(), children: [] });
}

/** Adds a started child to this run's session, before anything else can go wrong. */
export function recordChild(paths: DevPaths, child: RecordedChild) {
  const session = readSession(paths);
  if (!session || session.pid !== process.pid) return;
  writeSession(paths, { ...session, children: [...(session.children ?? []), child] });
}

/** Records what this run serves, once its chain and contract are known. */
export function recordStack(paths: DevPaths, stack: StackRecord) {
  const session = readSession(paths);
  if (!session || session.pid !== process.pid) return;
  writeSession(paths, { ...session, stack });
}

/** The stack a live `npm run dev` serves, if one runs with these paths. */
export function runningStack(paths: DevPaths): StackRecord | undefined {
  const session = readSession(paths);
  return session?.running && pidAlive(session.pid) ? session.stack : undefined;
}

export function markStopped(paths: DevPaths) {
  const session = readSession(paths);
  // A second `npm run dev` refused at start-up must not mark the live run's session as stopped: if that
  // run then crashed, the next one would resume a chain whose derived state no longer matches.
  if (!session || session.pid !== process.pid) return;
  writeSession(paths, { ...session, running: false, stoppedAt: new Date().toISOString() });
}
