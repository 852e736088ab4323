/**
 * The indexer's public API under abuse, on a real `ponder` process with 1,000 tokens indexed: a
 * GraphQL request nested to exhaust the indexer is refused before it runs and the indexer keeps
 * answering; SQL over HTTP validates with a secret salt; CORS answers only listed origins; every
 * client IP has a rate limit on GraphQL, SQL and the JSON routes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { anvilAccount, deployGlisk, mint, waitFor } from "../scripts/lib/glisk";
import { type PonderProcess, startPonder } from "../scripts/lib/ponder";
import { type Service, startRedis } from "../scripts/lib/processes";
import { useAnvil, useDatabase } from "./helpers/services";

const anvil = useAnvil();
const database = useDatabase();
const ALLOWED = "https://app.glisk.example";
const TOKENS = 1_000;
const PER_IP = 300;

let address: Address;
let redis: Service;
let redisDir: string;
let ponder: PonderProcess;

beforeAll(async () => {
  const deployed = await deployGlisk({ rpcUrl: anvil().url, keeper: anvilAccount(1).address });
  address = deployed.address;
  for (let i = 0; i < TOKENS / 50; i++) {
    await mint({ rpcUrl: anvil().url, address, author: anvilAccount(3 + (i % 3)).address, quantity: 50 });
  }
  redisDir = mkdtempSync(path.join(tmpdir(), "glisk-indexer-security-"));
  redis = await startRedis();
  const db = database();
  ponder = await startPonder({
    command: "dev",
    rpcUrl: anvil().url,
    contract: address,
    startBlock: deployed.startBlock,
    redisUrl: redis.url,
    queuePrefix: `sec${process.pid}`,
    database: db.kind === "pglite" ? { kind: "pglite", dir: path.join(db.dir, "ponder") } : db,
    env: {
      INDEXER_CORS_ORIGINS: ALLOWED,
      INDEXER_SQL_ENABLED: "true",
      INDEXER_RATE_LIMIT_PER_IP: String(PER_IP),
      TRUST_PROXY_HOPS: "1",
    },
  });
  // A young chain is all unfinalized: live indexing, not the backfill, catches up with it.
  await waitFor(
    async () =>
      (await ponder.graphql<{ tokens: { totalCount: number } }>(`{ tokens(limit: 1) { totalCount items { id } } }`))
        .tokens.totalCount === TOKENS,
    { timeoutMs: 60_000, message: `${TOKENS} tokens indexed` },
  );
}, 240_000);

afterAll(async () => {
  await ponder?.stop();
  await redis?.stop();
  rmSync(redisDir, { recursive: true, force: true });
});

const post = (query: string, headers: Record<string, string> = {}) =>
  fetch(`${ponder.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query }),
  });

/** `author.tokens` nested `levels` times from one token: the request that exhausted the indexer's heap. */
function circular(levels: number): string {
  let inner = "id";
  for (let i = 0; i < levels; i++) inner = `author { tokens(limit: 1000) { items { ${inner} } } }`;
  return `{ token(id: "1") { ${inner} } }`;
}

const sql = (query: string) =>
  fetch(`${ponder.url}/sql/db?sql=${encodeURIComponent(JSON.stringify({ json: { sql: query, params: [] } }))}`);

describe("GraphQL", () => {
  test("the circular request is refused before it runs, and the indexer keeps answering", async () => {
    const counted = await ponder.graphql<{ tokens: { items: { id: string }[] } }>(
      `{ tokens(limit: 1000) { items { id } } }`,
    );
    expect(counted.tokens.items).toHaveLength(TOKENS);
    for (const levels of [2, 6, 20]) {
      const response = await post(circular(levels));
      expect(response.status, `${levels} levels`).toBe(400);
      const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors[0]?.extensions.code).toBe("QUERY_REFUSED");
    }
    const after = await ponder.graphql<{ token: { id: string; author: { id: string } } }>(
      `{ token(id: "1") { id author { id } } }`,
    );
    expect(after.token.id).toBe("1");
  });

  test("a modest nested query still runs", async () => {
    const data = await ponder.graphql<{ authors: { items: { tokens: { items: unknown[] } }[] } }>(
      `{ authors(limit: 3) { items { id tokens(limit: 20) { items { id } } } } }`,
    );
    expect(data.authors.items).toHaveLength(3);
    expect(data.authors.items[0]?.tokens.items).toHaveLength(20);
  });

  test("batched requests are refused", async () => {
    const response = await fetch(`${ponder.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ query: "{ tokens { items { id } } }" }, { query: "{ tokens { items { id } } }" }]),
    });
    expect(response.status).toBe(400);
  });
});

describe("SQL over HTTP", () => {
  test("a query on this schema's tables runs; the pipeline's schema, functions and several statements do not", async () => {
    const ok = await sql("select count(*) as n from token");
    expect(ok.status).toBe(200);
    for (const query of [
      "select address, prompt from pipeline.authors",
      "select 1; select 2",
      "select pg_sleep(5)",
      "select * from token; commit; begin read write; drop table token",
    ]) {
      const refused = await sql(query);
      expect(refused.status, query).toBe(400);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("invalid_query");
    }
    expect((await sql("select count(*) as n from token")).status).toBe(200);
  });

  test("a malformed request is refused before Ponder sees it", async () => {
    expect((await fetch(`${ponder.url}/sql/db`)).status).toBe(400);
    expect((await fetch(`${ponder.url}/sql/db?sql=not-json`)).status).toBe(400);
  });
});

describe("CORS", () => {
  test("a listed origin is answered with itself; any other origin gets no Access-Control-Allow-Origin", async () => {
    const query = "{ tokens(limit: 1) { items { id } } }";
    const listed = await post(query, { origin: ALLOWED });
    expect(listed.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(listed.headers.get("access-control-allow-credentials")).toBeNull();
    const other = await post(query, { origin: "https://evil.example" });
    expect(other.status).toBe(200);
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const rest = await fetch(`${ponder.url}/tokens/1`, { headers: { origin: "https://evil.example" } });
    expect(rest.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("rate limit", () => {
  test("each client IP gets INDEXER_RATE_LIMIT_PER_IP requests a window over every route of ours, then 429 with Retry-After", async () => {
    const client = { "x-forwarded-for": "203.0.113.9" };
    const routes = ["/tokens/1", "/authors/leaderboard", "/graphql?query=%7Btokens%7Bitems%7Bid%7D%7D%7D", "/sql/db"];
    const statuses = new Map<number, number>();
    for (let i = 0; i < PER_IP; i++) {
      const response = await fetch(`${ponder.url}${routes[i % routes.length]}`, { headers: client });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      await response.arrayBuffer();
    }
    expect(statuses.get(429)).toBeUndefined();
    for (const route of routes) {
      const limited = await fetch(`${ponder.url}${route}`, { headers: client });
      expect({ route, status: limited.status }).toEqual({ route, status: 429 });
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(await limited.json()).toMatchObject({ error: { code: "rate_limited" } });
    }
    // Another client, and a request without a proxy header (keyed by its socket address), still pass.
    expect((await fetch(`${ponder.url}/tokens/1`, { headers: { "x-forwarded-for": "203.0.113.10" } })).status).toBe(
      200,
    );
    expect((await fetch(`${ponder.url}/tokens/1`)).status).toBe(200);
    const connection = new Redis(redis.url);
    const keys = await connection
      .keys(`sec${process.pid}:ratelimit:indexer:ip:*`)
      .finally(() => connection.disconnect());
    expect(keys.sort()).toEqual(
      ["127.0.0.1", "203.0.113.10", "203.0.113.9"].map((ip) => `sec${process.pid}:ratelimit:indexer:ip:${ip}`),
    );
  });
});
