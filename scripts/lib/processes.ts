/**
 * Starting and stopping the local services the stack and the tests need (anvil, redis-server,
 * a throwaway Postgres cluster) as child processes on loopback.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer, Socket } from "node:net";
import { fileURLToPath } from "node:url";

/** Asks the kernel for a free loopback TCP port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** Whether something accepts TCP connections on host:port right now. */
export function isListening(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.connect(port, host);
  });
}

/** Resolves once a TCP connection to host:port succeeds, or throws after `timeoutMs`. */
export async function waitForPort(port: number, { host = "127.0.0.1", timeoutMs = 20_000 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isListening(port, host)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
}

export type Service = { url: string; port: number; process?: ChildProcess; stop: () => Promise<void> };

/** Sends SIGTERM, then SIGKILL after `graceMs` if the process is still alive. */
export async function stopProcess(child: ChildProcess | undefined, graceMs = 5_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

function output(child: ChildProcess): () => string {
  let text = "";
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => text;
}

async function started(child: ChildProcess, port: number, name: string): Promise<void> {
  const log = output(child);
  const early = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`${name} exited with code ${code}:\n${log()}`))),
  );
  await Promise.race([waitForPort(port), early]);
}

/** Path of the anvil binary shipped by the `@foundry-rs/anvil` package for this platform. */
export function anvilBinary(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const require = createRequire(import.meta.url);
  return require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/bin/anvil`);
}

/** Path of Ponder's CLI script; the package's exports hide the bin, which sits next to the entry point. */
export function ponderBin(): string {
  return fileURLToPath(new URL("./bin/ponder.js", import.meta.resolve("ponder")));
}

export type AnvilOptions = {
  port?: number;
  blockTime?: number;
  chainId?: number;
  quiet?: boolean;
  /** Block gas limit (anvil's default is 30,000,000). */
  gasLimit?: number;
};

/** Starts anvil on loopback. Without `blockTime` it mines one block per transaction. */
export async function startAnvil(options: AnvilOptions = {}): Promise<Service> {
  const port = options.port ?? (await freePort());
  const args = ["--host", "127.0.0.1", "--port", String(port), "--chain-id", String(options.chainId ?? 31337)];
  if (options.blockTime) args.push("--block-time", String(options.blockTime));
  if (options.gasLimit) args.push("--gas-limit", String(options.gasLimit));
  const child = spawn(anvilBinary(), args, { stdio: ["ignore", options.quiet === false ? "inherit" : "pipe", "pipe"] });
  await started(child, port, "anvil");
  return { url: `http://127.0.0.1:${port}`, port, process: child, stop: () => stopProcess(child) };
}

/** Whether `command` is on the PATH. */
export function hasCommand(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
}

/** redis-server flags: loopback, noeviction (BullMQ needs it), no snapshots, append-only file only in `dir`. */
export function redisServerArgs(port: number, dir?: string): string[] {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--maxmemory-policy", "noeviction", "--save", ""];
  args.push("--appendonly", dir ? "yes" : "no");
  if (dir) args.push("--dir", dir);
  return args;
}

/**
 * Starts a throwaway redis-server on loopback with the settings BullMQ needs (noeviction) and
 * no persistence, or returns `REDIS_URL`-style `existingUrl` untouched when one is given.
 */
export async function startRedis(
  options: { existingUrl?: string; port?: number; dir?: string } = {},
): Promise<Service> {
  if (options.existingUrl) {
    const port = Number(new URL(options.existingUrl).port || 6379);
    return { url: options.existingUrl, port, stop: async () => {} };
  }
  if (!hasCommand("redis-server")) {
    throw new Error(
      "redis-server is not installed. Install Redis 7 (Debian/Ubuntu: `sudo apt-get install -y redis-server`, " +
        "macOS: `brew install redis`) or set REDIS_URL to a running server.",
    );
  }
  const port = options.port ?? (await freePort());
  const child = spawn("redis-server", redisServerArgs(port, options.dir), { stdio: ["ignore", "pipe", "pipe"] });
  await started(child, port, "redis-server");
  return { url: `redis://127.0.0.1:${port}`, port, process: child, stop: () => stopProcess(child) };
}

/** The pids whose parent is `pid` (Linux /proc). */
export function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name in field 2 may hold spaces and parentheses: ppid follows its last ")".
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === pid && fields[0] !== "Z") found.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

/** The command line of process `pid` (Linux /proc), or "" when it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

/**
 * The child of `pid` whose command line contains `marker`. A supervisor run with tsx has other
 * children than its roles (esbuild's service), so the first child is not necessarily the role.
 */
export function childRunning(pid: number, marker: string): number | undefined {
  return childrenOf(pid).find((child) => commandLine(child).includes(marker));
}

/** Sends `signal` to the whole process group of `child` (it was spawned detached). */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone
  }
}
