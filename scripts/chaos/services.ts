/**
 * The services under the chaos run's processes, on loopback, each one the run can break from outside:
 * a throwaway Postgres with the two roles of docker/postgres/roles.sql, a redis-server with its
 * append-only file that can be killed and brought back on the same port, anvil with 1 s blocks
 * behind the TCP proxy both processes use as their RPC, and the fake Replicate.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { type FakeReplicate, startFakeReplicate } from "../../fakes/replicate";
import { startTcpProxy, type TcpProxy } from "../../fakes/tcp-proxy";
import { type PostgresServer, postgresBin, startPostgres } from "../lib/postgres";
import { type Service, startAnvil, startRedis, stopProcess } from "../lib/processes";

export const DATABASE = "glisk";
export const VIEWS_SCHEMA = "glisk";

export type RestartableRedis = {
  url: string;
  /** kill -9 of redis-server; resolves once it is gone. */
  kill: () => Promise<void>;
  /** Starts it again on the same port and directory: it loads its append-only file. */
  start: () => Promise<void>;
  stop: () => Promise<void>;
};

export type ChaosServices = {
  postgres: PostgresServer;
  /** Connection URLs of the indexer's and the pipeline's roles, and the administrator's. */
  urls: { indexer: string; pipeline: string; admin: string };
  redis: RestartableRedis;
  anvil: Service;
  /** The RPC as the indexer and the pipeline see it. */
  rpc: TcpProxy;
  replicate: FakeReplicate;
  stop: () => Promise<void>;
};

/** Creates database `glisk` and runs docker/postgres/roles.sql on it, as compose's init hook does. */
function createRoles(server: PostgresServer, passwords: { indexer: string; pipeline: string }) {
  const admin = new URL(server.url);
  admin.pathname = `/${DATABASE}`;
  const vars = {
    db: DATABASE,
    indexer_role: "glisk_indexer",
    indexer_password: passwords.indexer,
    pipeline_role: "glisk_pipeline",
    pipeline_password: passwords.pipeline,
    views_schema: VIEWS_SCHEMA,
  };
  const script = path.resolve(import.meta.dirname, "../../docker/postgres/roles.sql");
  const args = [admin.toString(), "-v", "ON_ERROR_STOP=1", "-q", "-f", script];
  for (const [key, value] of Object.entries(vars)) args.push("-v", `${key}=${value}`);
  execFileSync(path.join(postgresBin(), "psql"), args, { stdio: ["ignore", "pipe", "pipe"] });
  const as = (role: string, password: string) => {
    const url = new URL(admin);
    url.username = role;
    url.password = password;
    return url.toString();
  };
  return {
    indexer: as(vars.indexer_role, passwords.indexer),
    pipeline: as(vars.pipeline_role, passwords.pipeline),
    admin: admin.toString(),
  };
}

async function createDatabase(server: PostgresServer): Promise<void> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

async function restartableRedis(dir: string): Promise<RestartableRedis> {
  mkdirSync(dir, { recursive: true });
  let service = await startRedis({ dir });
  const port = service.port;
  return {
    url: service.url,
    kill: async () => {
      const child = service.process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await gone;
    },
    start: async () => {
      service = await startRedis({ port, dir });
    },
    stop: () => stopProcess(service.process),
  };
}

/** Starts every service; on a failure, stops what already started. */
export async function startServices(p: { dir: string }): Promise<ChaosServices> {
  const started: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const stopOne of started.reverse()) await Promise.resolve(stopOne()).catch(() => {});
  };
  try {
    const postgres = await startPostgres();
    started.push(() => postgres.stop());
    await createDatabase(postgres);
    const passwords = { indexer: `ix-${Math.random().toString(36).slice(2)}`, pipeline: `pl-${Date.now()}` };
    const urls = createRoles(postgres, passwords);
    const redis = await restartableRedis(path.join(p.dir, "redis"));
    started.push(redis.stop);
    const anvil = await startAnvil({ blockTime: 1 });
    started.push(anvil.stop);
    const rpc = await startTcpProxy({ targetPort: anvil.port });
    started.push(rpc.close);
    const replicate = await startFakeReplicate(`r8_chaos_${Math.random().toString(36).slice(2)}`);
    started.push(replicate.close);
    return { postgres, urls, redis, anvil, rpc, replicate, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
