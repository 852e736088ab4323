/**
 * `npm run dev` as a child of a test or of the start-up benchmark: started in a throwaway GLISK_DEV_DIR
 * on free ports, with the environment the caller gives it (nothing of the caller's storage or chain
 * settings leaks in).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { waitFor } from "./glisk";
import { freePort } from "./processes";

const root = path.resolve(import.meta.dirname, "../..");

/** The Node flags `npm run dev` gives its supervisor (package.json), so a compiled run is the same process. */
function devScriptFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const flags = /exec node (.*)scripts\/launch\.cjs dist\/dev\.js/.exec(scripts.dev ?? "")?.[1] ?? "";
  return flags.split(" ").filter(Boolean);
}

/** Variables that would point the stack at the caller's storage or chain. */
const LEAKS = [
  "DATABASE_URL",
  "REDIS_URL",
  "GLISK_NETWORK",
  "GLISK_CONTRACT_ADDRESS",
  "GLISK_START_BLOCK",
  "PONDER_RPC_URL_31337",
  "PONDER_RPC_URL_8453",
  "PONDER_RPC_URL_84532",
  "KEEPER_PRIVATE_KEY",
  "ANVIL_FORK_URL",
  "ANVIL_FORK_BLOCK",
  "ADMIN_API_TOKEN",
];

export type DevRun = {
  dir: string;
  ports: { anvil: number; indexer: number; pipeline: number };
  env: NodeJS.ProcessEnv;
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Waits for the banner; throws with the output when dev exits first. */
  ready: () => Promise<void>;
  /** Ctrl-C (SIGINT to the supervisor) and the exit code. */
  interrupt: () => Promise<number | null>;
  /** Stops dev if it still runs and removes its directory. */
  cleanup: () => Promise<void>;
};

export type StartDevOptions = {
  /** Its GLISK_DEV_DIR, kept afterwards; default: a fresh one, removed by cleanup(). */
  dir?: string;
  /** Run the bundle as `npm run dev` runs it (dist/dev.js, built beforehand), rather than the sources through tsx. */
  compiled?: boolean;
};

/** Starts `scripts/dev.ts` (or its bundle) with `extra` on top of a clean environment. */
export async function startDev(extra: Record<string, string> = {}, options: StartDevOptions = {}): Promise<DevRun> {
  const { dir, compiled = false } = options;
  const devDir = dir ?? mkdtempSync(path.join(tmpdir(), "glisk-dev-"));
  const ports = { anvil: await freePort(), indexer: await freePort(), pipeline: await freePort() };
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of LEAKS) delete env[key];
  Object.assign(env, {
    GLISK_DEV_DIR: devDir,
    ANVIL_PORT: String(ports.anvil),
    INDEXER_PORT: String(ports.indexer),
    PORT: String(ports.pipeline),
    NODE_ENV: "development",
    LOG_LEVEL: "warn",
    NO_COLOR: "1",
    ...extra,
  });
  let text = "";
  const args = compiled ? [...devScriptFlags(), "dist/dev.js"] : ["--import", "tsx", "scripts/dev.ts"];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-400_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const interrupt = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill("SIGINT");
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return {
    dir: devDir,
    ports,
    env,
    child,
    output: () => text,
    exited,
    ready: () =>
      waitFor(
        () => {
          if (child.exitCode !== null) throw new Error(`npm run dev exited early:\n${text.slice(-6_000)}`);
          return text.includes("GLISK is running");
        },
        { timeoutMs: 240_000, intervalMs: 250, message: "npm run dev to print its banner" },
      )
        .then(() => undefined)
        .catch((error: Error) => {
          throw new Error(`${error.message}\n${text.slice(-6_000)}`);
        }),
    interrupt,
    cleanup: async () => {
      await interrupt();
      if (!dir) rmSync(devDir, { recursive: true, force: true });
    },
  };
}
