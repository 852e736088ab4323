/**
 * A small process supervisor for `npm start` (and the chaos run): each role is a child process whose
 * output is forwarded line by line through the secret scrubber (and, for roles that ask, with
 * repeated warnings folded into one line per window); a role that exits unexpectedly is
 * restarted with exponential backoff, and only a crash loop (too many exits in a window) stops the
 * whole supervisor, loudly. Stopping sends each child its own signal once (Ponder releases its
 * database lock on SIGINT, not on SIGTERM) and waits for it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { EXIT_CONFIG } from "../../common/exit-codes";
import { type FoldRepeatsParameters, foldRepeats } from "./fold-repeats";
import { forwardLines } from "./forward-lines";

export type RoleSpec = {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The signal that stops this role cleanly. */
  stopSignal: NodeJS.Signals;
  /**
   * Runs before every start of the role (e.g. releasing a lock its crashed run left behind); the
   * line it returns is said. A failure is said and the role starts anyway.
   */
  prepare?: () => Promise<string | undefined>;
  /** Repeated lines to fold into one summary per window (fold-repeats.ts): Ponder's RPC warnings. */
  foldRepeats?: Pick<FoldRepeatsParameters, "kind" | "windowMs">;
};

export type SupervisorOptions = {
  /** Applied to every forwarded line (secret scrubbing). */
  scrub: (line: string) => string;
  /** First restart delay; doubles per recent crash, up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A role that exits this many times within `crashWindowMs` is a crash loop. */
  maxCrashes?: number;
  crashWindowMs?: number;
  /** How long a stopping child may take before SIGKILL. */
  stopGraceMs?: number;
  say?: (line: string) => void;
  /** Where the children's (scrubbed) output goes; this process's stdout and stderr by default. */
  write?: { stdout: (text: string) => void; stderr: (text: string) => void };
};

export type Supervisor = {
  /** Restarts one role now (e.g. a stalled indexer), as a crash would, counting towards the crash loop. */
  restart: (name: string, reason: string) => void;
  stop: (signal?: NodeJS.Signals) => Promise<number>;
  /** Resolves with the exit code once every role has stopped (after stop() or a crash loop). */
  done: Promise<number>;
};

type Running = {
  spec: RoleSpec;
  child?: ChildProcess;
  crashes: number[];
  timer?: NodeJS.Timeout;
  /** Set while `spec.prepare` runs before a start. */
  preparing?: Promise<void>;
  /** This role's stdout lines through the scrubber, then its fold of repeats. */
  stdoutLine: (text: string) => string | undefined;
  flush: () => void;
};

type Output = { stdout: (text: string) => void; stderr: (text: string) => void };

/** A role's running state, with its stdout passing the scrubber and then its fold of repeats. */
function running(spec: RoleSpec, scrub: (line: string) => string, out: Output): Running {
  if (!spec.foldRepeats) return { spec, crashes: [], stdoutLine: scrub, flush: () => {} };
  const fold = foldRepeats({ ...spec.foldRepeats, write: (line) => out.stdout(`${scrub(line)}\n`) });
  return { spec, crashes: [], stdoutLine: (text) => fold.line(scrub(text)), flush: fold.flush };
}

/** Sends the role's stop signal once and resolves when it exited (SIGKILL after `graceMs`). */
function stopRole(role: Running, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    clearTimeout(role.timer);
    role.timer = undefined;
    const child = role.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill(role.spec.stopSignal);
  });
}

type CrashPolicy = { backoffMs: number; maxBackoffMs: number; windowMs: number; maxCrashes: number };

/** After a crash at `now`: the crashes still in the window, and the restart delay (undefined: a crash loop). */
function afterCrash(crashes: readonly number[], now: number, p: CrashPolicy): { crashes: number[]; delayMs?: number } {
  const recent = [...crashes.filter((t) => now - t < p.windowMs), now];
  if (recent.length >= p.maxCrashes) return { crashes: recent };
  return { crashes: recent, delayMs: Math.min(p.maxBackoffMs, p.backoffMs * 2 ** (recent.length - 1)) };
}

/** Runs the role's `prepare` step (its line said, its failure said), then `next`. */
function prepareThen(role: Running, p: { say: (line: string) => void; next: () => void }): void {
  const prepare = role.spec.prepare;
  if (!prepare) {
    p.next();
    return;
  }
  role.preparing = prepare()
    .catch((error: Error) => `${role.spec.name}: before starting it: ${error.message}`)
    .then((line) => {
      if (line) p.say(line);
    })
    .finally(() => {
      role.preparing = undefined;
      p.next();
    });
}

function crashPolicy(o: SupervisorOptions): CrashPolicy {
  return {
    backoffMs: o.backoffMs ?? 1_000,
    maxBackoffMs: o.maxBackoffMs ?? 30_000,
    windowMs: o.crashWindowMs ?? 120_000,
    maxCrashes: o.maxCrashes ?? 5,
  };
}

/** The supervisor's `done` and the function that settles it. */
function exitCodePromise(): { promise: Promise<number>; resolve: (code: number) => void } {
  let resolve: (code: number) => void = () => {};
  const promise = new Promise<number>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** The line that ends a supervisor on a crash loop. */
function crashLoopLine(name: string, crashes: number, windowMs: number, how: string): string {
  return `${name} exited ${crashes} times within ${windowMs / 1000} s (last: ${how}): crash loop, giving up`;
}

/** SIGKILL for `child` if it is still running after `ms`. */
function killAfter(child: ChildProcess, ms: number): void {
  setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"), ms).unref();
}

/** Last resort when the supervisor itself exits: no child may outlive it. */
function killAllOnExit(roles: readonly Running[]): void {
  process.on("exit", () => {
    for (const role of roles) if (role.child && role.child.exitCode === null) role.child.kill("SIGKILL");
  });
}

/** Starts every role and keeps them running. */
export function supervise(specs: readonly RoleSpec[], o: SupervisorOptions): Supervisor {
  const say = o.say ?? ((line: string) => console.error(`[start] ${line}`));
  const policy = crashPolicy(o);
  const out: Output = o.write ?? { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };
  const roles = specs.map((spec) => running(spec, o.scrub, out));
  let stopping = false;
  let exitCode = 0;
  const { promise: done, resolve: finish } = exitCodePromise();

  const launch = (role: Running) => {
    const { spec } = role;
    const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ["ignore", "pipe", "pipe"] });
    role.child = child;
    forwardLines(child.stdout, { line: role.stdoutLine, write: out.stdout });
    forwardLines(child.stderr, { line: o.scrub, write: out.stderr });
    child.once("exit", (code, signal) => onExit(role, child, code, signal));
  };

  const settleIfAllStopped = () => {
    if (!roles.every((r) => !r.child && !r.timer && !r.preparing)) return;
    for (const role of roles) role.flush();
    finish(exitCode);
  };

  /** Starts the role, after its `prepare` step when it has one. */
  const start = (role: Running) =>
    prepareThen(role, {
      say: (line) => say(o.scrub(line)),
      next: () => (stopping ? settleIfAllStopped() : launch(role)),
    });

  const onExit = (role: Running, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null) => {
    if (role.child !== child) return;
    role.child = undefined;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    // Exits while stopping are the ones we asked for, whatever code the child chose.
    if (stopping) return settleIfAllStopped();
    const name = role.spec.name;
    if (code === EXIT_CONFIG)
      return giveUp(EXIT_CONFIG, `${name} stopped on a configuration error (exit ${code}): fix it and start again`);
    const { crashes, delayMs: delay } = afterCrash(role.crashes, Date.now(), policy);
    role.crashes = crashes;
    if (delay === undefined) return giveUp(1, crashLoopLine(name, crashes.length, policy.windowMs, how));
    say(`${name} exited unexpectedly (${how}); restarting in ${(delay / 1000).toFixed(1)} s`);
    role.timer = setTimeout(() => {
      role.timer = undefined;
      if (!stopping) start(role);
      else settleIfAllStopped();
    }, delay);
  };

  const giveUp = (code: number, line: string) => {
    say(line);
    exitCode = code;
    void stop("SIGTERM");
  };

  const stop = async (_signal?: NodeJS.Signals) => {
    if (!stopping) {
      stopping = true;
      await Promise.all(roles.map((role) => stopRole(role, o.stopGraceMs ?? 60_000)));
      settleIfAllStopped();
    }
    return done;
  };

  const restart = (name: string, reason: string) => {
    const role = roles.find((r) => r.spec.name === name);
    if (!role?.child || stopping) return;
    say(`restarting ${name}: ${reason}`);
    // The exit handler sees an unexpected exit and restarts it with the crash-loop accounting.
    role.child.kill(role.spec.stopSignal);
    killAfter(role.child, o.stopGraceMs ?? 60_000);
  };

  for (const role of roles) start(role);
  killAllOnExit(roles);
  return { restart, stop, done };
}
