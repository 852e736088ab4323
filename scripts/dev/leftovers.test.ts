import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { devPaths } from "../../common/local-stack";
import { commandLine, stopLeftovers } from "./leftovers";
import { pidAlive } from "./session";

let dir: string;
let paths: ReturnType<typeof devPaths>;
const started: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "glisk-leftovers-"));
  paths = devPaths({ GLISK_DEV_DIR: dir });
});
afterEach(() => {
  for (const child of started.splice(0)) if (child.pid && pidAlive(child.pid)) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** A long-running process in its own group, as dev starts its children. */
function spawnGroup(script: string): ChildProcess {
  const child = spawn(process.execPath, ["-e", script], { detached: true, stdio: "ignore" });
  started.push(child);
  return child;
}

const deadPid = () =>
  Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString());

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once("exit", () => resolve()));

describe("leftovers of a killed npm run dev", () => {
  test("the recorded children still running their command are stopped, each said; a reused pid is left alone", async () => {
    const ours = spawnGroup("setInterval(() => {}, 1000); /* glisk-leftover-indexer */");
    const stranger = spawnGroup("setInterval(() => {}, 1000); /* some other program */");
    await new Promise((r) => setTimeout(r, 200));
    expect(commandLine(ours.pid as number)).toContain("glisk-leftover-indexer");
    writeFileSync(
      paths.session,
      JSON.stringify({
        pid: deadPid(),
        running: true,
        startedAt: "",
        children: [
          { name: "indexer", pid: ours.pid, identity: ["glisk-leftover-indexer"] },
          // The system gave this pid to another program since: its command line does not match.
          { name: "anvil", pid: stranger.pid, identity: ["/somewhere/anvil", "--port 8545"] },
        ],
      }),
    );
    const said: string[] = [];
    const stopped = await stopLeftovers(paths, (line) => said.push(line));
    await exited(ours);
    expect(stopped).toEqual(["indexer"]);
    expect(said).toEqual([
      `the previous \`npm run dev\` was killed and left its indexer running (pid ${ours.pid}): stopping it`,
      `pid ${stranger.pid} (the previous run's anvil) now runs another program: left alone`,
    ]);
    expect(ours.signalCode).toBe("SIGTERM");
    expect(pidAlive(stranger.pid as number)).toBe(true);
  });

  test("a run that stopped in order, or one still alive, leaves nothing to stop", async () => {
    const child = spawnGroup("setInterval(() => {}, 1000); /* glisk-leftover-pipeline */");
    const record = { name: "pipeline", pid: child.pid, identity: ["glisk-leftover-pipeline"] };
    writeFileSync(paths.session, JSON.stringify({ pid: deadPid(), running: false, startedAt: "", children: [record] }));
    expect(await stopLeftovers(paths, () => {})).toEqual([]);
    writeFileSync(
      paths.session,
      JSON.stringify({ pid: process.ppid, running: true, startedAt: "", children: [record] }),
    );
    expect(await stopLeftovers(paths, () => {})).toEqual([]);
    expect(pidAlive(child.pid as number)).toBe(true);
  });
});
