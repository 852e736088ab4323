/**
 * Child processes of `npm run dev`: each runs in its own process group (so the terminal's Ctrl-C
 * reaches only the supervisor, which then stops them in order) with its output prefixed line by line.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { scrubber } from "../../common/scrubber";
import { forwardLines } from "../lib/forward-lines";

const COLORS = { anvil: 33, redis: 31, indexer: 36, pipeline: 35, dev: 32 } as const;
export type ChildName = keyof typeof COLORS;

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const prefix = (name: ChildName) => {
  const label = `[${name}]`.padEnd(11);
  return useColor ? `\x1b[${COLORS[name]}m${label}\x1b[0m` : label;
};

/** Prints a supervisor line. */
export const say = (line: string) => console.log(`${prefix("dev")}${line}`);

/** Forwards a stream line by line with the child's prefix; `keep` drops noise, `scrub` hides secrets. */
function forward(
  stream: NodeJS.ReadableStream | null,
  name: ChildName,
  { keep, scrub }: { keep: (line: string) => boolean; scrub: (line: string) => string },
) {
  forwardLines(stream, {
    line: (text) => (keep(text) ? `${prefix(name)}${scrub(text)}` : undefined),
    write: (text) => process.stdout.write(text),
  });
}

export type Child = {
  name: ChildName;
  process: ChildProcess;
  /** Fragments of its command line, recorded so a later run can recognise it (leftovers.ts). */
  identity: string[];
  stop: () => Promise<void>;
};

/** Spawns `command` in its own process group with prefixed output. */
export type StartChildParameters = {
  name: ChildName;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Which output lines to forward; the rest is noise. */
  keep?: (line: string) => boolean;
  /** Fragments its command line keeps while it runs; default: the command and its arguments. */
  identity?: string[];
  /** Texts never printed (an RPC URL with its API key), replaced by [redacted]. */
  redact?: readonly string[];
};

export function startChild({ name, command, args, ...options }: StartChildParameters): Child {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const filters = { keep: options.keep ?? (() => true), scrub: scrubber((options.redact ?? []).filter(Boolean)) };
  forward(child.stdout, name, filters);
  forward(child.stderr, name, filters);
  const identity = options.identity ?? [[command, ...args].join(" ")];
  return { name, process: child, identity, stop: () => stopGroup(child) };
}

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

function signalGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** SIGTERM to the child's group (woken first, should it be stopped), SIGKILL after 15 s. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (!alive(child)) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  signalGroup(child, "SIGTERM");
  signalGroup(child, "SIGCONT");
  const timer = setTimeout(() => signalGroup(child, "SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Last resort when the supervisor itself exits: nothing it started may outlive it. */
export function killAllOnExit(children: Child[]) {
  process.on("exit", () => {
    for (const c of children) if (alive(c.process)) signalGroup(c.process, "SIGKILL");
  });
}
