/**
 * `npm start [-- indexer|pipeline|all]`: production start. `pipeline` runs the pipeline process,
 * `indexer` runs `ponder start` with a per-deploy schema (PONDER_SCHEMA, else one named after the
 * package version) behind the stable views schema PONDER_VIEWS_SCHEMA (default `glisk`); `all`
 * (the default) runs both as children and stops both when either stops. Docker Compose runs each
 * role as its own service.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { entryArgs, ponderArgs } from "./lib/launch";

const root = path.resolve(import.meta.dirname, "..");
const role = process.argv[2] ?? "all";
if (!["indexer", "pipeline", "all"].includes(role)) {
  console.error(`start: unknown role "${role}"; use indexer, pipeline or all`);
  process.exit(2);
}

function ponderSchema(): string {
  if (process.env.PONDER_SCHEMA) return process.env.PONDER_SCHEMA;
  const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
  return `glisk_${version.replace(/[^A-Za-z0-9]/g, "_")}`;
}

function command(name: "indexer" | "pipeline"): { args: string[]; env: NodeJS.ProcessEnv } {
  if (name === "pipeline") {
    return {
      args: entryArgs("pipeline"),
      env: {
        ...process.env,
        NODE_ENV: process.env.NODE_ENV ?? "production",
        // The indexer this supervisor starts listens on INDEXER_PORT; /health/indexer must probe it there.
        INDEXER_URL: process.env.INDEXER_URL || `http://127.0.0.1:${process.env.INDEXER_PORT || "42069"}`,
      },
    };
  }
  const views = process.env.PONDER_VIEWS_SCHEMA || "glisk";
  // Ponder reads PORT before --port; PORT is the pipeline's, so the indexer gets INDEXER_PORT.
  const env = { ...process.env, PORT: process.env.INDEXER_PORT || "42069" };
  return { args: ponderArgs(["start", "--schema", ponderSchema(), "--views-schema", views]), env };
}

const children: ChildProcess[] = [];
let exitCode = 0;
let stopping = false;
const signalled = new Set<ChildProcess>();
// One signal per child: a second SIGTERM tells the pipeline to skip waiting for its active jobs.
const stopAll = (signal: NodeJS.Signals) => {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null || signalled.has(child)) continue;
    signalled.add(child);
    child.kill(signal);
  }
};

for (const name of role === "all" ? (["indexer", "pipeline"] as const) : ([role] as ["indexer" | "pipeline"])) {
  const { args, env } = command(name);
  // Own process group: a terminal's Ctrl-C reaches only this supervisor, which sends each child one
  // signal (a second one would make the pipeline skip waiting for its active jobs).
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: "inherit", detached: true });
  child.on("exit", (code, signal) => {
    if (!stopping && code !== 0) exitCode = code ?? (signal ? 1 : 0);
    // One role down means the deployment is degraded: stop the other so the supervisor restarts both.
    stopAll("SIGTERM");
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(exitCode);
  });
  children.push(child);
}

process.on("exit", () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    stopping = true;
    stopAll(signal);
  });
}
