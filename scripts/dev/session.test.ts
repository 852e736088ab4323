import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { devPaths } from "../../common/local-stack";
import {
  markRunning,
  markStopped,
  orphanedChildren,
  previousRun,
  readSession,
  recordChild,
  recordStack,
  runningStack,
  wipeChainState,
} from "./session";

let dir: string;
let paths: ReturnType<typeof devPaths>;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "glisk-session-"));
  paths = devPaths({ GLISK_DEV_DIR: dir });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const writeChainState = () => {
  mkdirSync(path.dirname(paths.anvilState), { recursive: true });
  writeFileSync(paths.anvilState, "{}");
};

describe("npm run dev session", () => {
  test("keeps everything under GLISK_DEV_DIR, the deployment record included", () => {
    for (const p of Object.values(paths)) expect(p.startsWith(dir)).toBe(true);
  });

  test("a first run starts clean", () => {
    expect(previousRun(paths)).toBe("clean");
  });

  test("a run that stopped in order and left a chain state is resumed", () => {
    markRunning(paths);
    writeChainState();
    markStopped(paths);
    expect(previousRun(paths)).toBe("resume");
  });

  test("a run that died without stopping in order starts clean", () => {
    // A pid that surely exited: a finished child's.
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    writeChainState();
    writeFileSync(paths.session, JSON.stringify({ pid: Number(dead), running: true, startedAt: "" }));
    expect(previousRun(paths)).toBe("clean");
  });

  test("a stopped run without a chain state starts clean", () => {
    markRunning(paths);
    markStopped(paths);
    expect(previousRun(paths)).toBe("clean");
  });

  test("refuses to start while another run is alive", () => {
    writeFileSync(paths.session, JSON.stringify({ pid: process.ppid, running: true, startedAt: "" }));
    expect(() => previousRun(paths)).toThrow(/another `npm run dev` is running/);
  });

  test("a run refused at start-up leaves the live run's session marked running", () => {
    writeChainState();
    writeFileSync(paths.session, JSON.stringify({ pid: process.ppid, running: true, startedAt: "" }));
    expect(() => previousRun(paths)).toThrow(/another `npm run dev` is running/);
    markStopped(paths); // what the refused run's shutdown does
    expect(JSON.parse(readFileSync(paths.session, "utf8"))).toMatchObject({ pid: process.ppid, running: true });
  });

  test("a clean start wipes the chain and everything derived from it, keeping the admin token", () => {
    writeChainState();
    for (const d of [paths.redis, paths.ponder, paths.pipeline, paths.ipfs]) mkdirSync(d, { recursive: true });
    writeFileSync(paths.adminToken, "token");
    wipeChainState(paths);
    for (const p of [paths.anvilState, paths.redis, paths.ponder, paths.pipeline, paths.ipfs])
      expect(existsSync(p)).toBe(false);
    expect(existsSync(paths.adminToken)).toBe(true);
  });

  test("records its children and its stack; the stack is found only while the run lives", () => {
    markRunning(paths);
    recordChild(paths, { name: "anvil", pid: 4242, identity: ["anvil", "--port 8545"] });
    const stack = {
      mode: "fork" as const,
      chainId: 8453,
      address: "0xA",
      startBlock: 7,
      rpcUrl: "http://127.0.0.1:8545",
    };
    recordStack(paths, stack);
    expect(readSession(paths)?.children).toEqual([{ name: "anvil", pid: 4242, identity: ["anvil", "--port 8545"] }]);
    expect(runningStack(paths)).toEqual(stack);
    markStopped(paths);
    expect(runningStack(paths)).toBeUndefined();
  });

  test("the children of a run that died without stopping are orphans; those of a live or stopped run are not", () => {
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    const children = [{ name: "redis", pid: 1234, identity: ["redis-server"] }];
    writeFileSync(paths.session, JSON.stringify({ pid: Number(dead), running: true, startedAt: "", children }));
    expect(orphanedChildren(paths)).toEqual(children);
    writeFileSync(paths.session, JSON.stringify({ pid: process.ppid, running: true, startedAt: "", children }));
    expect(orphanedChildren(paths)).toEqual([]);
    writeFileSync(paths.session, JSON.stringify({ pid: Number(dead), running: false, startedAt: "", children }));
    expect(orphanedChildren(paths)).toEqual([]);
  });
});
