/**
 * The production path without Docker: `npm start` (scripts/start.ts) runs `ponder start` and the
 * pipeline as separate child processes with NODE_ENV=production against a Postgres server, as
 * docker-compose.yml does with its two app services, each connecting as its own role created by
 * docker/postgres/roles.sql (the script compose runs). Around it run a fresh anvil (1 s blocks) with
 * GliskNFT deployed and the keeper granted, a redis-server and a fresh database. Needs
 * TEST_DATABASE_URL (production runs on Postgres; CI sets it).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { type Address, getAddress, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GliskNFTAbi } from "../abis/GliskNFTAbi";
import { startTcpProxy, type TcpProxy } from "../fakes/tcp-proxy";
import { anvilAccount, deployGlisk, localClients, mint, PLACEHOLDER_URI, waitFor } from "../scripts/lib/glisk";
import { freePort, isListening, type Service, startAnvil, startRedis } from "../scripts/lib/processes";
import { createScratchDatabase } from "../scripts/lib/scratch-database";

const root = path.resolve(import.meta.dirname, "..");
const TOKEN = "production-admin-token-0123456789";
const run = Math.random().toString(36).slice(2, 8);
const PONDER_SCHEMA = `glisk_prod_${run}`;
const VIEWS_SCHEMA = `glisk_views_${run}`;
const authorA = anvilAccount(3).address;
const authorB = anvilAccount(4).address;
const keeperKey = toHex(anvilAccount(1).getHdKey().privateKey as Uint8Array);

const RPC_KEY = `rpc-key-${run}-5ecret`;

let anvil: Service | undefined;
/** The RPC as the stack sees it: a proxy in front of anvil, with a key in the URL like a hosted RPC's. */
let rpc: TcpProxy | undefined;
let redis: Service | undefined;
let database: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
let ipfsDir = "";
let contract: Address;
let startBlock = 0;
let ports = { indexer: 0, pipeline: 0 };
/** The two roles of docker/postgres/roles.sql, per run (roles belong to the whole server). */
const roles = {
  indexer: { name: `glisk_indexer_${run}`, password: `ix-${run}-password` },
  pipeline: { name: `glisk_pipeline_${run}`, password: `pl-${run}-password` },
};
const urlAs = (role: { name: string; password: string }) => {
  const url = new URL(database?.kind === "postgres" ? database.url : "postgres://invalid/x");
  url.username = role.name;
  url.password = role.password;
  return url.toString();
};
let stack: ChildProcess | undefined;
let output = "";
/** Every process `npm start` ran, recorded once it is up: afterAll kills any that outlive a failure. */
let stackTree: number[] = [];
const minted: bigint[] = [];

/** The environment a production deploy would give `npm start`, on this machine's services. */
function productionEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    LOG_LEVEL: "info",
    PONDER_LOG_LEVEL: "warn",
    PONDER_TELEMETRY_DISABLED: "true",
    NO_COLOR: "1",
    GLISK_NETWORK: "anvil",
    PONDER_RPC_URL_31337: `${rpc?.url()}/?apikey=${RPC_KEY}`,
    GLISK_CONTRACT_ADDRESS: contract,
    GLISK_START_BLOCK: String(startBlock),
    DATABASE_URL: urlAs(roles.pipeline),
    INDEXER_DATABASE_URL: urlAs(roles.indexer),
    REDIS_URL: redis?.url,
    QUEUE_PREFIX: `prod-${run}`,
    PONDER_SCHEMA,
    PONDER_VIEWS_SCHEMA: VIEWS_SCHEMA,
    ADMIN_API_TOKEN: TOKEN,
    KEEPER_PRIVATE_KEY: keeperKey,
    INDEXER_PORT: String(ports.indexer),
    PORT: String(ports.pipeline),
    IMAGE_PROVIDER: "local",
    IPFS_PROVIDER: "local",
    IPFS_DATA_DIR: ipfsDir,
  };
  // start.ts must derive what the deploy does not set; a developer's shell must not leak in.
  for (const key of [
    "INDEXER_URL",
    "DATABASE_SCHEMA",
    "DATABASE_PRIVATE_URL",
    "REPLICATE_API_TOKEN",
    "PINATA_JWT",
    "OPENAI_API_KEY",
  ]) {
    delete env[key];
  }
  return env;
}

/** Runs `npm start -- <args>` to completion, for the start-up refusals. */
function npmStart(args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn("npm", ["start", "--", ...args], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout?.on("data", (chunk: Buffer) => (text += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (text += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output: text });
    });
  });
}

/** The command line of process `pid`, arguments joined by spaces ("" once it has exited). */
function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

/** Every live descendant of `pid` (Linux /proc): npm, its shell, the supervisor and both roles. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirNumeric("/proc")) {
    try {
      // The command name in field 2 may hold spaces and parentheses: ppid follows its last ")".
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), entry]);
    } catch {
      // exited while we looked
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of parents.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function readdirNumeric(dir: string): number[] {
  return readdirSync(dir)
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

function alive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
  } catch {
    return false;
  }
}

const status = (url: string) =>
  fetch(url).then(
    (r) => r.status,
    () => 0,
  );

async function graphql<T>(query: string): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${ports.indexer}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`GraphQL: ${body.errors.map((e) => e.message).join("; ")}`);
  return body.data as T;
}

/** Runs `text` as the administrator, or as `role`. */
async function sql<T>(text: string, role?: { name: string; password: string }): Promise<T[]> {
  const url = role ? urlAs(role) : database?.kind === "postgres" ? database.url : "";
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

/** psql from PATH, else from the newest Postgres install. */
function psql(): string {
  if (spawnSync("sh", ["-c", "command -v psql"]).status === 0) return "psql";
  const installed = readdirSync("/usr/lib/postgresql").sort().at(-1);
  return `/usr/lib/postgresql/${installed}/bin/psql`;
}

/** Creates the two roles with the project's own script, exactly as compose's init hook runs it. */
function createRoles(): void {
  const url = database?.kind === "postgres" ? database.url : "";
  const vars = {
    db: new URL(url).pathname.slice(1),
    indexer_role: roles.indexer.name,
    indexer_password: roles.indexer.password,
    pipeline_role: roles.pipeline.name,
    pipeline_password: roles.pipeline.password,
    views_schema: VIEWS_SCHEMA,
  };
  const args = [url, "-v", "ON_ERROR_STOP=1", "-q", ...Object.entries(vars).flatMap(([k, v]) => ["-v", `${k}=${v}`])];
  const result = spawnSync(psql(), [...args, "-f", path.join(root, "docker/postgres/roles.sql")], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`roles.sql failed: ${result.stderr}`);
}

async function dropRoles(): Promise<void> {
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    for (const role of [roles.indexer.name, roles.pipeline.name]) await admin.query(`DROP ROLE IF EXISTS "${role}"`);
  } finally {
    await admin.end();
  }
}

const read = <T>(functionName: "isRevealed" | "tokenURI", id: bigint) =>
  localClients(anvil?.url ?? "").publicClient.readContract({
    address: contract,
    abi: GliskNFTAbi,
    functionName,
    args: [id],
  }) as Promise<T>;

describe.skipIf(!process.env.TEST_DATABASE_URL)(
  "npm start in production (skipped: set TEST_DATABASE_URL to a Postgres server; production runs on Postgres)",
  () => {
    beforeAll(async () => {
      [anvil, redis, database] = await Promise.all([
        startAnvil({ blockTime: 1 }),
        startRedis(),
        createScratchDatabase(),
      ]);
      createRoles();
      rpc = await startTcpProxy({ targetPort: anvil.port });
      ipfsDir = mkdtempSync(path.join(tmpdir(), "glisk-prod-ipfs-"));
      const deployment = await deployGlisk({ rpcUrl: anvil.url, keeper: anvilAccount(1).address });
      contract = getAddress(deployment.address);
      startBlock = deployment.startBlock;
      ports = { indexer: await freePort(), pipeline: await freePort() };
    }, 60_000);

    afterAll(async () => {
      // A failed test may have left the stack up: nothing may outlive the file.
      if (stack?.pid) stackTree.push(stack.pid, ...descendants(stack.pid));
      for (const pid of stackTree.filter(alive)) process.kill(pid, "SIGKILL");
      await rpc?.close();
      await Promise.all([anvil?.stop(), redis?.stop()]);
      await database?.drop();
      await dropRoles();
      if (ipfsDir) rmSync(ipfsDir, { recursive: true, force: true });
    }, 60_000);

    test("the pipeline refuses to start in production without ADMIN_API_TOKEN, naming it", async () => {
      const env = productionEnv();
      delete env.ADMIN_API_TOKEN;
      const explicit = await npmStart(["pipeline"], env);
      expect(explicit.code).not.toBe(0);
      expect(explicit.output).toMatch(/ADMIN_API_TOKEN \(at least 16 characters\) is required/);
      // npm start defaults to production: an unset NODE_ENV must not let it start open.
      delete env.NODE_ENV;
      const defaulted = await npmStart(["pipeline"], env);
      expect(defaulted.code).not.toBe(0);
      expect(defaulted.output).toMatch(/ADMIN_API_TOKEN/);
      expect(await isListening(ports.pipeline)).toBe(false);
    });

    test("npm start refuses in production when the indexer and the pipeline would share one database role", async () => {
      const env = productionEnv();
      delete env.INDEXER_DATABASE_URL;
      const shared = await npmStart([], env);
      expect(shared.code).not.toBe(0);
      expect(shared.output).toMatch(/same role \(glisk_pipeline_\w+\): set INDEXER_DATABASE_URL/);
      expect(await isListening(ports.indexer)).toBe(false);
    });

    test("npm start brings up ponder start and the pipeline as children, both healthy", async () => {
      const child = spawn("npm", ["start"], { cwd: root, env: productionEnv(), stdio: ["ignore", "pipe", "pipe"] });
      stack = child;
      const keep = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-100_000);
      };
      child.stdout?.on("data", keep);
      child.stderr?.on("data", keep);
      const indexer = `http://127.0.0.1:${ports.indexer}`;
      const pipeline = `http://127.0.0.1:${ports.pipeline}`;
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode})`);
          return (await status(`${indexer}/ready`)) === 200 && (await status(`${pipeline}/health/ready`)) === 200;
        },
        { timeoutMs: 90_000, intervalMs: 250, message: "indexer /ready and pipeline /health/ready" },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${output.slice(-5_000)}`);
      });
      stackTree = descendants(child.pid as number);
      // Production runs compiled JavaScript: the supervisor and the pipeline are the bundles in dist/,
      // and no process of the stack loads tsx.
      const commands = stackTree.map(commandLine);
      expect(commands.some((c) => c.includes("dist/start.js"))).toBe(true);
      expect(commands.some((c) => c.includes("dist/pipeline.js"))).toBe(true);
      expect(commands.filter((c) => c.includes("tsx"))).toEqual([]);
      // The pipeline finds the indexer on INDEXER_PORT without being told INDEXER_URL.
      const health = await fetch(`${pipeline}/health/indexer`);
      expect(await health.json()).toMatchObject({ reachable: true, ready: true, status: "ok" });
      expect(health.status).toBe(200);
    }, 120_000);

    test("two authors mint several tokens and every token is revealed on-chain", async () => {
      const pipeline = `http://127.0.0.1:${ports.pipeline}`;
      // The admin API is closed without the token and open with it.
      const body = JSON.stringify({ prompt: "a lighthouse in the fog, oil painting" });
      const put = (headers: Record<string, string>) =>
        fetch(`${pipeline}/admin/authors/${authorA}`, {
          method: "PUT",
          headers: { "content-type": "application/json", ...headers },
          body,
        });
      expect((await put({})).status).toBe(401);
      expect((await put({ authorization: `Bearer ${TOKEN}` })).status).toBe(200);

      const rpcUrl = anvil?.url ?? "";
      for (const [author, quantity] of [
        [authorA, 3],
        [authorB, 2],
        [authorA, 1],
      ] as const) {
        minted.push(...(await mint({ rpcUrl, address: contract, author, quantity })).tokenIds);
      }
      expect(minted).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
      await waitFor(
        async () => (await Promise.all(minted.map((id) => read<boolean>("isRevealed", id)))).every(Boolean),
        {
          timeoutMs: 60_000,
          intervalMs: 500,
          message: "every minted token revealed on-chain",
        },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${output.slice(-5_000)}`);
      });
      const uris = await Promise.all(minted.map((id) => read<string>("tokenURI", id)));
      for (const uri of uris) {
        expect(uri).not.toBe(PLACEHOLDER_URI);
        expect(uri).toMatch(/^ipfs:\/\/Qm[1-9A-HJ-NP-Za-km-z]{44}$/);
      }
      expect(new Set(uris).size).toBe(minted.length);
      // The metadata the chain points at is served by the pipeline's local IPFS store.
      const metadata = await fetch(`${pipeline}/ipfs/${(uris[0] as string).slice("ipfs://".length)}`);
      expect(metadata.status).toBe(200);
      expect(await metadata.json()).toMatchObject({ name: "GLISK S0 #1" });
    }, 90_000);

    test("the views schema answers GraphQL and SQL with the revealed tokens", async () => {
      const uris = await Promise.all(minted.map((id) => read<string>("tokenURI", id)));
      type Item = { id: string; revealed: boolean; tokenUri: string | null; promptAuthor: string };
      // The indexer sees the reveals a moment after the chain does.
      const items = await waitFor(
        async () => {
          const data = await graphql<{ tokens: { items: Item[] } }>(
            '{ tokens(orderBy: "id", orderDirection: "asc", limit: 100) { items { id revealed tokenUri promptAuthor } } }',
          );
          const all = data.tokens.items;
          return all.length === minted.length && all.every((t) => t.revealed) ? all : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250, message: "GraphQL to show every token revealed" },
      );
      expect(items.map((t) => t.tokenUri)).toEqual(uris);
      expect(items.map((t) => getAddress(t.promptAuthor))).toEqual([
        authorA,
        authorA,
        authorA,
        authorB,
        authorB,
        authorA,
      ]);

      // Readers query the stable views schema, not the per-deploy one.
      const rows = await waitFor(
        async () => {
          const found = await sql<{ id: string; revealed: boolean; token_uri: string }>(
            `SELECT id::text, revealed, token_uri FROM "${VIEWS_SCHEMA}".token ORDER BY id`,
          );
          return found.length === minted.length && found.every((r) => r.revealed) ? found : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250, message: `SQL on ${VIEWS_SCHEMA}.token to show every token revealed` },
      );
      expect(rows.map((r) => r.token_uri)).toEqual(uris);
      const deploySchema = await sql<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = '${PONDER_SCHEMA}' AND table_name = 'token'`,
      );
      expect(deploySchema).toHaveLength(1);

      // The pipeline's role reads the views schema (default privileges survive Ponder recreating the views).
      const asPipeline = await sql<{ n: string }>(
        `SELECT count(*)::text AS n FROM "${VIEWS_SCHEMA}".token`,
        roles.pipeline,
      );
      expect(asPipeline).toEqual([{ n: String(minted.length) }]);
    });

    test("the indexer's role cannot read author prompts, whatever reaches its connection", async () => {
      // SQL over HTTP is off in production unless INDEXER_SQL_ENABLED: nothing to send it through.
      const prompt = JSON.stringify({ json: { sql: "select address, prompt from pipeline.authors", params: [] } });
      const http = await fetch(`http://127.0.0.1:${ports.indexer}/sql/db?sql=${encodeURIComponent(prompt)}`);
      expect(http.status).toBe(404);
      expect(await sql<{ n: string }>("SELECT count(*)::text AS n FROM pipeline.authors")).toEqual([{ n: "1" }]);
      // As if Ponder's validation were skipped (a 40-bit cache collision): the query runs on the indexer's
      // role in a read-only session, alone or escaping the transaction with several statements.
      const client = new pg.Client({ connectionString: urlAs(roles.indexer) });
      await client.connect();
      try {
        await client.query("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
        for (const text of [
          "select address, prompt from pipeline.authors",
          "select 1; commit; begin read write; select address, prompt from pipeline.authors; commit",
        ]) {
          const error = await client.query(text).then(
            () => undefined,
            (e: { code?: string; message: string }) => e,
          );
          expect(error?.code, text).toBe("42501");
          expect(error?.message).toMatch(/permission denied for schema pipeline/);
          await client.query("rollback").catch(() => {});
        }
      } finally {
        await client.end();
      }
    });

    test("the pipeline keeps its tables in schema pipeline of the same database", async () => {
      const tables = await sql<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'pipeline' ORDER BY table_name",
      );
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining(["authors", "reveal_transactions", "token_events", "tokens"]),
      );
      const tokens = await sql<{ token_id: string; status: string }>(
        "SELECT token_id::text, status FROM pipeline.tokens ORDER BY token_id",
      );
      expect(tokens).toEqual(minted.map((id) => ({ token_id: String(id), status: "revealed" })));
      const misplaced = await sql<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('tokens', 'authors')",
      );
      expect(misplaced).toEqual([]);
    });

    test("during an RPC outage both roles' errors reach the output without the RPC URL's key", async () => {
      const before = output.length;
      await rpc?.setMode("refuse");
      // Ponder polls every 200 ms on anvil and logs each failed request; the pipeline's health probes the RPC.
      await fetch(`http://127.0.0.1:${ports.pipeline}/health/ready`);
      await new Promise((r) => setTimeout(r, 3_000));
      await rpc?.setMode("pass");
      const during = output.slice(before);
      expect(during).toMatch(/JSON-RPC|rpc/i);
      expect(during).toContain("[redacted]");
      expect(output).not.toContain(RPC_KEY);
      await waitFor(async () => (await status(`http://127.0.0.1:${ports.pipeline}/health/ready`)) === 200, {
        timeoutMs: 30_000,
        message: "the pipeline ready again",
      });
    }, 60_000);

    test("SIGTERM to npm start stops both children cleanly and frees their ports", async () => {
      const child = stack;
      const pid = child?.pid;
      if (!child || !pid) throw new Error("npm start is not running");
      const tree = descendants(pid);
      // npm, its shell, the supervisor, the indexer and the pipeline (the shell may exec the supervisor).
      expect(tree.length).toBeGreaterThanOrEqual(3);
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      await waitFor(() => tree.every((p) => !alive(p)), {
        timeoutMs: 30_000,
        message: `every process of npm start to exit (${tree.filter(alive).join(", ")})`,
      });
      expect(await isListening(ports.indexer)).toBe(false);
      expect(await isListening(ports.pipeline)).toBe(false);
      expect(output).toContain("pipeline stopped");
    }, 60_000);
  },
);
