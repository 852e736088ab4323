/**
 * One role of the stack under the project's own supervisor, exactly as production runs it:
 * `node --import tsx scripts/start.ts <role>` in its own process group. Every line it prints goes to
 * a log file with the time; the chaos run reads three things from it: the supervisor's restart
 * messages (an exit it did not plan is a defect), error-level lines per second (an outage must not
 * flood the log), and nothing else — its figures come from the chain and the fake provider.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import path from "node:path";
import { forwardLines } from "../lib/forward-lines";
import { childRunning, signalGroup } from "../lib/processes";

const root = path.resolve(import.meta.dirname, "../..");

/** A message of the supervisor itself (scripts/lib/supervisor.ts), with when it was printed. */
export type SupervisorEvent = { at: number; text: string };

export type SupervisedRole = {
  name: string;
  role: "indexer" | "pipeline";
  /** The supervisor process (its pid is the process group). */
  supervisor: ChildProcess;
  /** The role process the supervisor runs now, or undefined between restarts. */
  rolePid: () => number | undefined;
  /** Restarts the supervisor reported (crashes and stall restarts alike). */
  events: SupervisorEvent[];
  /** Lines logged per second (unix seconds), all levels and error level and above. */
  linesPerSecond: Map<number, { all: number; errors: number }>;
  /** The dependencies this role's log reports unreachable now (common/outage-log.ts lines). */
  downNow: () => string[];
  /** The last lines, for a failure report. */
  tail: () => string;
  /** SIGTERM to the supervisor (it stops its role with the role's own signal), SIGKILL to the group after `graceMs`. */
  stop: (graceMs?: number) => Promise<void>;
};

export type StartSupervisedParameters = {
  name: string;
  role: "indexer" | "pipeline";
  env: NodeJS.ProcessEnv;
  logDir: string;
};

/** What the role's process has on its command line (scripts/start.ts). */
const MARKER = { indexer: "ponder.js", pipeline: "pipeline/main.ts" } as const;

const RESTART = /exited unexpectedly|^\[start\] restarting |crash loop|configuration error/;
const OUTAGE = /"msg":"(\w+) (unreachable|still unreachable|reachable again)"/;
const ERROR_LEVEL = /"level":\s*(50|60)\b|"level":"(error|fatal)"/;

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** Starts `scripts/start.ts <role>` in its own process group. */
export function startSupervised(p: StartSupervisedParameters): SupervisedRole {
  const supervisor = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts/start.ts"), p.role], {
    cwd: root,
    env: p.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = createWriteStream(path.join(p.logDir, `${p.name}.log`));
  const events: SupervisorEvent[] = [];
  const linesPerSecond = new Map<number, { all: number; errors: number }>();
  const recent: string[] = [];
  const down = new Set<string>();
  const line = (text: string) => {
    const at = Date.now();
    const second = Math.floor(at / 1000);
    const counts = linesPerSecond.get(second) ?? { all: 0, errors: 0 };
    counts.all += 1;
    if (ERROR_LEVEL.test(text)) counts.errors += 1;
    linesPerSecond.set(second, counts);
    if (text.startsWith("[start] ") && RESTART.test(text)) events.push({ at, text });
    const outage = OUTAGE.exec(text);
    if (outage?.[1]) {
      if (outage[2] === "reachable again") down.delete(outage[1]);
      else down.add(outage[1]);
    }
    // A restarted process starts with no outage in progress.
    if (/exited unexpectedly/.test(text)) down.clear();
    recent.push(text);
    if (recent.length > 60) recent.shift();
    return `${new Date(at).toISOString()} ${text}`;
  };
  const write = (text: string) => log.write(text);
  forwardLines(supervisor.stdout, { line, write });
  forwardLines(supervisor.stderr, { line, write });
  const exited = new Promise<void>((resolve) => supervisor.once("exit", () => resolve()));

  return {
    name: p.name,
    role: p.role,
    supervisor,
    rolePid: () => (supervisor.pid && alive(supervisor) ? childRunning(supervisor.pid, MARKER[p.role]) : undefined),
    events,
    linesPerSecond,
    downNow: () => [...down],
    tail: () => recent.join("\n"),
    stop: async (graceMs = 30_000) => {
      if (alive(supervisor)) {
        supervisor.kill("SIGTERM");
        const timer = setTimeout(() => signalGroup(supervisor, "SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // Anything the role left behind in the group (esbuild, a half-started child) goes too.
      signalGroup(supervisor, "SIGKILL");
      await new Promise<void>((resolve) => log.end(resolve));
    },
  };
}
