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

/** Starts every role and keeps them running. */
export function supervise(specs: readonly RoleSpec[], o: SupervisorOptions): Supervisor {
  const say = o.say ?? ((line: string) => console.error(`[start] ${line}`));
  const backoff = o.backoffMs ?? 1_000;
  const window = o.crashWindowMs ?? 120_000;
  const maxCrashes = o.maxCrashes ?? 5;
  const out = o.write ?? {
    stdout: (text: string) => process.stdout.write(text),
    stderr: (text: string) => process.stderr.write(text),
  };
  const roles = specs.map((spec): Running => {
    if (!spec.foldRepeats) return { spec, crashes: [], stdoutLine: o.scrub, flush: () => {} };
    const fold = foldRepeats({ ...spec.foldRepeats, write: (line) => out.stdout(`${o.scrub(line)}\n`) });
    return { spec, crashes: [], stdoutLine: (text) => fold.line(o.scrub(text)), flush: fold.flush };
  });
  let stopping = false;
  let exitCode = 0;
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });

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
  const start = (role: Running) => {
    const prepare = role.spec.prepare;
    if (!prepare) return launch(role);
    role.preparing = prepare()
      .catch((error: Error) => `${role.spec.name}: before starting it: ${error.message}`)
      .then((line) => {
        if (line) say(o.scrub(line));
      })
      .finally(() => {
        role.preparing = undefined;
        if (stopping) settleIfAllStopped();
        else launch(role);
      });
  };

  const onExit = (role: Running, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null) => {
    if (role.child !== child) return;
    role.child = undefined;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    // Exits while stopping are the ones we asked for, whatever code the child chose.
    if (stopping) return settleIfAllStopped();
    if (code === EXIT_CONFIG) {
      say(`${role.spec.name} stopped on a configuration error (exit ${code}): fix it and start again`);
      exitCode = EXIT_CONFIG;
      void stop("SIGTERM");
      return;
    }
    const now = Date.now();
    role.crashes = [...role.crashes.filter((t) => now - t < window), now];
    if (role.crashes.length >= maxCrashes) {
      say(
        `${role.spec.name} exited ${role.crashes.length} times within ${window / 1000} s (last: ${how}): crash loop, giving up`,
      );
      exitCode = 1;
      void stop("SIGTERM");
      return;
    }
    const delay = Math.min(o.maxBackoffMs ?? 30_000, backoff * 2 ** (role.crashes.length - 1));
    say(`${role.spec.name} exited unexpectedly (${how}); restarting in ${(delay / 1000).toFixed(1)} s`);
    role.timer = setTimeout(() => {
      role.timer = undefined;
      if (!stopping) start(role);
      else settleIfAllStopped();
    }, delay);
  };

  const stopRole = (role: Running) =>
    new Promise<void>((resolve) => {
      clearTimeout(role.timer);
      role.timer = undefined;
      const child = role.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill("SIGKILL"), o.stopGraceMs ?? 60_000);
      child.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill(role.spec.stopSignal);
    });

  const stop = async (_signal?: NodeJS.Signals) => {
    if (!stopping) {
      stopping = true;
      await Promise.all(roles.map(stopRole));
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
    const child = role.child;
    setTimeout(
      () => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"),
      o.stopGraceMs ?? 60_000,
    ).unref();
  };

  for (const role of roles) start(role);
  process.on("exit", () => {
    for (const role of roles) if (role.child && role.child.exitCode === null) role.child.kill("SIGKILL");
  });
  return { restart, stop, done };
}
