/**
 * A real Ponder process for the tests and benchmarks: `ponder dev --disable-ui` or `ponder start` on a free
 * loopback port, with its own PGlite directory or Postgres database so test files running in
 * parallel never share state.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { freePort, ponderBin, stopProcess } from "./processes";

const root = path.resolve(import.meta.dirname, "../..");

export type PonderDatabase = { kind: "pglite"; dir: string } | { kind: "postgres"; url: string };

export type StartPonderOptions = {
  command: "dev" | "start";
  rpcUrl: string;
  contract: `0x${string}`;
  startBlock: number;
  redisUrl: string;
  queuePrefix: string;
  database: PonderDatabase;
  /** Postgres schema (`ponder start` needs one); defaults to "public" on `dev`. */
  schema?: string;
  viewsSchema?: string;
  /** Extra environment, e.g. to point REDIS_URL somewhere unreachable. */
  env?: Record<string, string>;
  /** Wait for `/ready` (historical indexing done); false returns once the HTTP server answers. */
  waitReady?: boolean;
};

export type PonderProcess = {
  url: string;
  port: number;
  process: ChildProcess;
  /** The last ~64 kB of the process's stdout and stderr. */
  logs: () => string;
  /** POSTs a GraphQL query and returns `data`, throwing on GraphQL errors. */
  graphql: <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;
  stop: () => Promise<void>;
};

/** The command line and environment of a Ponder process for `options`, listening on `port`. */
function ponderCommand(options: StartPonderOptions, port: number): { args: string[]; env: NodeJS.ProcessEnv } {
  const args = [
    ponderBin(),
    options.command,
    "--port",
    String(port),
    "--hostname",
    "127.0.0.1",
    "--log-format",
    "json",
  ];
  if (options.command === "dev") args.push("--disable-ui");
  if (options.schema) args.push("--schema", options.schema);
  if (options.viewsSchema) args.push("--views-schema", options.viewsSchema);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Explicit values win over a developer's .env.local, which Ponder loads.
    GLISK_NETWORK: "anvil",
    PONDER_RPC_URL_31337: options.rpcUrl,
    GLISK_CONTRACT_ADDRESS: options.contract,
    GLISK_START_BLOCK: String(options.startBlock),
    REDIS_URL: options.redisUrl,
    QUEUE_PREFIX: options.queuePrefix,
    DATABASE_URL: options.database.kind === "postgres" ? options.database.url : "",
    PONDER_PGLITE_DIR: options.database.kind === "pglite" ? options.database.dir : "/nonexistent/pglite-unused",
    PONDER_TELEMETRY_DISABLED: "true",
    NODE_ENV: "development",
    // Tests and benchmarks poll from one address far faster than any client: the limit is tested on its own.
    INDEXER_RATE_LIMIT_PER_IP: "1000000",
    ...options.env,
  };
  // The schema comes from --schema only; Ponder would otherwise take it from here.
  delete env.DATABASE_SCHEMA;
  // Ponder prefers PORT over --port.
  delete env.PORT;
  delete env.DATABASE_PRIVATE_URL;
  return { args, env };
}

/** Starts Ponder against the given chain, Redis and database, and waits until it serves. */
export async function startPonder(options: StartPonderOptions): Promise<PonderProcess> {
  const port = await freePort();
  const { args, env } = ponderCommand(options, port);
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-65_536);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  const ponder: PonderProcess = {
    url,
    port,
    process: child,
    logs: () => text,
    graphql: async <T>(query: string, variables?: Record<string, unknown>) => {
      const response = await fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
      if (body.errors?.length) throw new Error(`GraphQL: ${body.errors.map((e) => e.message).join("; ")}`);
      return body.data as T;
    },
    stop: () => stopProcess(child, 10_000),
  };

  const path = options.waitReady === false ? "/health" : "/ready";
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`ponder ${options.command} exited (${child.exitCode ?? child.signalCode}):\n${text}`);
    }
    // `ponder dev` stays up after a failed build, waiting for a file change.
    if (text.includes('"msg":"Build failed"')) {
      await ponder.stop();
      throw new Error(`ponder ${options.command} failed to build:\n${text}`);
    }
    const status = await fetch(`${url}${path}`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return ponder;
    await new Promise((r) => setTimeout(r, 200));
  }
  await ponder.stop();
  throw new Error(`ponder ${options.command} did not become ready on ${url}${path}:\n${text}`);
}
