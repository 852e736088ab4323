/**
 * Children that a killed `npm run dev` (kill -9, a closed terminal that took only the supervisor)
 * left running: the session file lists them, and each one is stopped only when its process still runs
 * the recorded command line, so a pid the system has since given to another program is left alone.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { DevPaths } from "../../common/local-stack";
import { orphanedChildren, pidAlive, type RecordedChild } from "./session";

/** The command line of `pid` as one string, or undefined when no such process runs. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
  } catch {
    // No /proc (macOS): ask ps.
    const ps = spawnSync("ps", ["-o", "command=", "-p", String(pid)], { encoding: "utf8" });
    return ps.status === 0 && ps.stdout.trim() ? ps.stdout.trim() : undefined;
  }
}

/** Whether `child` still runs the command it was started with. */
export function stillOurs(child: RecordedChild): boolean {
  const line = commandLine(child.pid);
  return line !== undefined && child.identity.every((fragment) => line.includes(fragment));
}

function signalGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Alive and not a zombie (a zombie has an empty command line until its new parent reaps it). */
const running = (pid: number) => pidAlive(pid) && Boolean(commandLine(pid));

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (running(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return !running(pid);
}

/** SIGTERM to the child's group (anvil dumps its state, the pipeline finishes its jobs), SIGKILL after 10 s. */
async function stopGroup(pid: number): Promise<void> {
  signalGroup(pid, "SIGTERM");
  if (await waitGone(pid, 10_000)) return;
  signalGroup(pid, "SIGKILL");
  await waitGone(pid, 5_000);
}

/**
 * Stops what the previous, killed run left running and reports each step through `say`; returns the
 * names of the children stopped.
 */
export async function stopLeftovers(paths: DevPaths, say: (line: string) => void): Promise<string[]> {
  const stopped: string[] = [];
  for (const child of orphanedChildren(paths)) {
    if (!running(child.pid)) continue;
    if (!stillOurs(child)) {
      say(`pid ${child.pid} (the previous run's ${child.name}) now runs another program: left alone`);
      continue;
    }
    say(`the previous \`npm run dev\` was killed and left its ${child.name} running (pid ${child.pid}): stopping it`);
    await stopGroup(child.pid);
    stopped.push(child.name);
  }
  return stopped;
}
