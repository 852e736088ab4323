/**
 * Bounded fuzzing of every public route of both processes: a real `ponder` and a real pipeline
 * process on one chain get 2,400 requests built from their own route lists (the pipeline's OpenAPI
 * document, the indexer's GraphQL, SQL and JSON routes) with hostile parameters, bodies, headers and
 * methods. None may answer 5xx, and both must keep answering afterwards. The generator is seeded
 * (FUZZ_SEED), so a failure replays exactly.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { anvilAccount, anvilKey, mint, waitFor } from "../scripts/lib/glisk";
import { type PonderProcess, startPonder } from "../scripts/lib/ponder";
import { freePort, stopProcess } from "../scripts/lib/processes";
import { createScratchDatabase, type ScratchDatabase } from "../scripts/lib/scratch-database";
import { databaseEnv, useStages } from "./helpers/stages";

const s = useStages();
const REQUESTS_PER_PROCESS = 1_200;
const CONCURRENCY = 8;
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const ADMIN = "fuzz-admin-token-0123456789abcdef";
const HIGH = "1000000"; // rate limits out of the way: the handlers are what is fuzzed

let ponder: PonderProcess | undefined;
let pipeline: ChildProcess | undefined;
let database: ScratchDatabase & { drop: () => Promise<void> };
let pipelineUrl = "";
let output = "";

beforeAll(async () => {
  const author = anvilAccount(4).address;
  await mint({ rpcUrl: s.anvil().url, address: s.contract(), author, quantity: 5 });
  database = await createScratchDatabase();
  const env = s.env({
    ...databaseEnv(database),
    LOG_LEVEL: "warn",
    ADMIN_API_TOKEN: ADMIN,
    KEEPER_PRIVATE_KEY: anvilKey(1),
    API_RATE_LIMIT_PER_IP: HIGH,
    API_RATE_LIMIT_PER_WALLET: HIGH,
    OPS_RATE_LIMIT_PER_IP: HIGH,
  });
  const db =
    database.kind === "pglite" ? { kind: "pglite" as const, dir: path.join(database.dir, "ponder") } : database;
  ponder = await startPonder({
    command: "dev",
    rpcUrl: s.anvil().url,
    contract: s.contract(),
    startBlock: Number(env.GLISK_START_BLOCK),
    redisUrl: env.REDIS_URL ?? "",
    queuePrefix: env.QUEUE_PREFIX ?? "",
    database: db,
    env: { INDEXER_RATE_LIMIT_PER_IP: HIGH, INDEXER_SQL_ENABLED: "true" },
  });
  await waitFor(
    async () =>
      (await ponder?.graphql<{ tokens: { totalCount: number } }>("{ tokens { totalCount } }"))?.tokens.totalCount === 5,
    { message: "5 tokens indexed", timeoutMs: 60_000 },
  );
  const port = await freePort();
  pipelineUrl = `http://127.0.0.1:${port}`;
  pipeline = spawn(process.execPath, ["--import", "tsx", "pipeline/main.ts"], {
    env: { ...process.env, ...env, PORT: String(port), INDEXER_URL: ponder.url },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [pipeline.stdout, pipeline.stderr]) stream?.on("data", (b: Buffer) => (output += b));
  await waitFor(async () => (await fetch(`${pipelineUrl}/health/ready`).catch(() => undefined))?.ok, {
    message: "pipeline ready",
    timeoutMs: 60_000,
  }).catch((error) => {
    console.log(output.slice(-4000));
    throw error;
  });
}, 180_000);

afterAll(async () => {
  await stopProcess(pipeline);
  await ponder?.stop();
  await database?.drop();
});

/** mulberry32: a small seeded generator, so a run replays from its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return { next, pick };
}

const rng = random(SEED);

/** Values that have broken parsers before: numbers out of range, addresses that almost are, markup, sizes. */
const HOSTILE = [
  "",
  "0",
  "-1",
  "1.5",
  "1e309",
  "9".repeat(90),
  "0x",
  `0x${"f".repeat(40)}`,
  `0x${"G".repeat(40)}`,
  `0x${"ab".repeat(32)}`,
  anvilAccount(4).address,
  "null",
  "true",
  "[]",
  "{}",
  "%00",
  "%ZZ",
  "..%2F..%2Fetc%2Fpasswd",
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  "💥".repeat(50),
  "\u0000\u0007",
  "a".repeat(5_000),
  "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
  "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG",
];

const FIELDS = [
  "wallet_address",
  "walletAddress",
  "signature",
  "message",
  "prompt",
  "action",
  "nonce",
  "state",
  "code",
];

function hostileValue(): unknown {
  const r = rng.next();
  if (r < 0.6) return rng.pick(HOSTILE);
  if (r < 0.7) return Math.floor(rng.next() * 2 ** 53) * (rng.next() < 0.5 ? -1 : 1);
  if (r < 0.8) return rng.pick([null, true, false, [], {}, [1, 2, 3]]);
  if (r < 0.9) return { nested: { deeper: rng.pick(HOSTILE) } };
  return Array.from({ length: 50 }, () => rng.pick(HOSTILE));
}

function hostileBody(): { body?: string; contentType?: string } {
  const r = rng.next();
  if (r < 0.1) return {};
  if (r < 0.2) return { body: "{not json", contentType: "application/json" };
  if (r < 0.3) return { body: `${"[".repeat(10_000)}${"]".repeat(10_000)}`, contentType: "application/json" };
  if (r < 0.35) return { body: JSON.stringify({ prompt: "x".repeat(40_000) }), contentType: "application/json" };
  if (r < 0.45)
    return { body: "prompt=hi", contentType: rng.pick(["application/x-www-form-urlencoded", "text/plain"]) };
  const fields = Object.fromEntries(FIELDS.filter(() => rng.next() < 0.5).map((f) => [f, hostileValue()]));
  return { body: JSON.stringify(fields), contentType: "application/json" };
}

function hostileHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const r = rng.next();
  if (r < 0.15)
    headers.authorization = rng.pick(["Bearer", "Bearer  x", `Bearer ${ADMIN} junk`, "Basic ???", "Basic Og=="]);
  if (rng.next() < 0.1) headers.origin = rng.pick(["https://evil.example", "null", "http://127.0.0.1"]);
  if (rng.next() < 0.1) headers["x-forwarded-for"] = rng.pick(["1.2.3.4", "::1", "garbage", "1.2.3.4, 5.6.7.8"]);
  if (rng.next() < 0.05) headers.cookie = "a".repeat(4_000);
  return headers;
}

/** At most `n` characters of `value` as text, never half a surrogate pair. */
const clip = (value: unknown, n: number) => [...String(value)].slice(0, n).join("");

/** A path template with every `{param}` (OpenAPI) filled with a hostile value. */
const fill = (template: string) =>
  template.replace(/\{[^}]+\}/g, () => encodeURIComponent(clip(rng.pick(HOSTILE), 200)));

function hostileQuery(): string {
  if (rng.next() < 0.4) return "";
  const keys = ["limit", "offset", "cursor", "code", "state", "sql", "query", "wallet_address"];
  const pairs = keys.filter(() => rng.next() < 0.4).map((k) => `${k}=${encodeURIComponent(clip(hostileValue(), 500))}`);
  return pairs.length ? `?${pairs.join("&")}` : "";
}

type Attempt = { method: string; url: string; headers: Record<string, string>; body?: string };

/** A route and the methods it answers (empty: any method is tried). */
type Route = { path: string; methods: string[] };

const ANY_METHOD = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];

function request(base: string, routes: readonly Route[]): Attempt {
  const route = rng.pick(routes);
  const template = rng.next() < 0.05 ? `/${encodeURIComponent(clip(rng.pick(HOSTILE), 200))}` : route.path;
  // Mostly the route's own methods, so the fuzzing reaches the handlers rather than the router's 404.
  const method = route.methods.length && rng.next() < 0.8 ? rng.pick(route.methods) : rng.pick(ANY_METHOD);
  const headers = hostileHeaders();
  // The admin routes are fuzzed past authentication too.
  if (template.startsWith("/admin") && rng.next() < 0.4) headers.authorization = `Bearer ${ADMIN}`;
  const attempt: Attempt = { method, url: `${base}${fill(template)}${hostileQuery()}`, headers };
  if (method !== "GET" && method !== "HEAD") {
    const { body, contentType } = hostileBody();
    attempt.body = body;
    if (contentType) headers["content-type"] = contentType;
  }
  return attempt;
}

/** GraphQL documents from valid to absurd, for the indexer's `/graphql` and `/`. */
function graphqlBody(): string {
  const depth = Math.floor(rng.next() * 25);
  let nested = "id";
  for (let i = 0; i < depth; i++)
    nested = `author { tokens(limit: ${rng.pick([1, 1000, -1, 0])}) { items { ${nested} } } }`;
  const query = rng.pick([
    `{ token(id: "${rng.pick(HOSTILE)}") { ${nested} } }`,
    `{ tokens(limit: ${rng.pick(["1", "1000", "100000", "-5", '"x"'])}) { items { id } } }`,
    "{ __schema { types { name fields { name type { name ofType { name } } } } } }",
    `query Q($id: String!) { token(id: $id) { id } }`,
    "{ tokens { items { id ",
    `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: tokens { items { id } }`).join(" ")} }`,
    "mutation { x }",
    String(rng.pick(HOSTILE)),
  ]);
  const r = rng.next();
  if (r < 0.1) return JSON.stringify([{ query }, { query }]);
  if (r < 0.2) return JSON.stringify({ query, variables: { id: hostileValue() } });
  return JSON.stringify({ query });
}

async function send(a: Attempt): Promise<number> {
  // Redirects (the X callback sends the browser back to the web client) are answers, not followed.
  const response = await fetch(a.url, { method: a.method, headers: a.headers, body: a.body, redirect: "manual" });
  await response.arrayBuffer();
  return response.status;
}

/** Sends `count` requests from `make`, CONCURRENCY at a time; returns statuses, and every 5xx with its request. */
async function fuzz(count: number, make: () => Attempt) {
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  let sent = 0;
  const lane = async () => {
    while (sent < count) {
      sent++;
      const a = make();
      const status = await send(a).catch((error: Error) => {
        failures.push(`${a.method} ${a.url.slice(0, 200)} → ${error.message}`);
        return 0;
      });
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500) failures.push(`${a.method} ${a.url.slice(0, 200)} ${a.body?.slice(0, 200) ?? ""} → ${status}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return { statuses: Object.fromEntries([...statuses].sort(([x], [y]) => x - y)), failures };
}

describe(`fuzzing both processes (seed ${SEED})`, () => {
  test("the pipeline: every route of its OpenAPI document, Bull Board and unknown paths answer below 500", async () => {
    const document = (await (await fetch(`${pipelineUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes: Route[] = [
      ...Object.entries(document.paths).map(([route, operations]) => ({
        path: route,
        methods: Object.keys(operations).map((m) => m.toUpperCase()),
      })),
      ...["/admin/queues", "/admin/queues/api/queues", "/ipfs/{cid}"].map((route) => ({
        path: route,
        methods: ["GET"],
      })),
    ];
    expect(routes.length).toBeGreaterThan(15);
    const result = await fuzz(REQUESTS_PER_PROCESS, () => request(pipelineUrl, routes));
    console.log("pipeline", JSON.stringify(result.statuses));
    expect(result.failures).toEqual([]);
    expect((await fetch(`${pipelineUrl}/health/ready`)).status).toBe(200);
    expect(output).not.toContain("unhandled API error");
  }, 180_000);

  test("the indexer: GraphQL, SQL, JSON and Ponder's own routes answer below 500", async () => {
    const base = ponder?.url ?? "";
    const routes: Route[] = [
      "/tokens/{id}",
      "/authors/leaderboard",
      "/authors/{address}/tokens",
      "/sql/db",
      "/health",
      "/ready",
      "/status",
      "/metrics",
    ].map((route) => ({ path: route, methods: ["GET"] }));
    const result = await fuzz(REQUESTS_PER_PROCESS, () => {
      if (rng.next() < 0.45) {
        const body = graphqlBody();
        const headers = { ...hostileHeaders(), "content-type": "application/json" };
        return { method: "POST", url: `${base}${rng.pick(["/graphql", "/"])}`, headers, body };
      }
      return request(base, routes);
    });
    console.log("indexer", JSON.stringify(result.statuses));
    expect(result.failures).toEqual([]);
    const after = await ponder?.graphql<{ tokens: { items: unknown[] } }>("{ tokens(limit: 5) { items { id } } }");
    expect(after?.tokens.items).toHaveLength(5);
  }, 180_000);
});
