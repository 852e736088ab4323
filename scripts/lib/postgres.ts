/**
 * A throwaway Postgres server on loopback, for tests and the chaos run that restart it: initdb into a
 * temporary directory, pg_ctl start on a free port, and `restart` / `stop` the way an operator (or a
 * crash) would. Uses the newest /usr/lib/postgresql/<version>/bin; as root the server runs as the
 * `postgres` user, which Postgres requires.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./processes";

export type PostgresServer = {
  /** Superuser URL of the `postgres` database. */
  url: string;
  port: number;
  /** `pg_ctl restart -m <mode>`: `immediate` is a crash (no checkpoint, every connection cut). */
  restart: (mode?: "fast" | "immediate") => void;
  /** The same without blocking this process's event loop (servers it hosts keep answering meanwhile). */
  restartAsync: (mode?: "fast" | "immediate") => Promise<void>;
  stop: () => void;
};

/** The bin directory of the newest Postgres installed under /usr/lib/postgresql. */
export function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(path.join(root, v, "bin/initdb")))
    : [];
  const newest = versions.sort((a, b) => Number(a) - Number(b)).at(-1);
  if (!newest) {
    throw new Error("Postgres is not installed: apt-get install -y postgresql (or set TEST_DATABASE_URL to a server)");
  }
  return path.join(root, newest, "bin");
}

/** Starts a fresh server; `stop()` removes its data directory. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBin();
  const dir = mkdtempSync(path.join(tmpdir(), "glisk-pg-"));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync("chown", ["postgres", dir]);
  const command = (tool: string, args: string[]): [string, string[]] =>
    asRoot ? ["runuser", ["-u", "postgres", "--", path.join(bin, tool), ...args]] : [path.join(bin, tool), args];
  const run = (tool: string, args: string[]) =>
    execFileSync(...command(tool, args), { stdio: ["ignore", "pipe", "pipe"] });
  const data = path.join(dir, "data");
  run("initdb", ["-D", data, "-A", "trust", "-U", "postgres"]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const ctlArgs = (action: string, extra: string[] = []) => [
    "-D",
    data,
    "-l",
    path.join(dir, "log"),
    "-w",
    ...extra,
    action,
  ];
  const ctl = (action: string, extra: string[] = []) => run("pg_ctl", ctlArgs(action, extra));
  ctl("start", ["-o", options]);
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    restart: (mode = "fast") => ctl("restart", ["-m", mode, "-o", options]),
    restartAsync: (mode = "fast") =>
      new Promise<void>((resolve, reject) =>
        execFile(...command("pg_ctl", ctlArgs("restart", ["-m", mode, "-o", options])), (error) =>
          error ? reject(error) : resolve(),
        ),
      ),
    stop: () => {
      if (stopped) return;
      stopped = true;
      try {
        ctl("stop", ["-m", "immediate"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
