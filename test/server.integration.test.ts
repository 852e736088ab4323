import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Worker } from "bullmq";
import { pino } from "pino";
import { describe, expect, test } from "vitest";
import { QUEUE } from "../common/jobs";
import { createLogger } from "../common/logger";
import { startTcpProxy } from "../fakes/tcp-proxy";
import { parseConfig } from "../pipeline/config";
import { createContext } from "../pipeline/context";
import { getAuthor } from "../pipeline/db/authors";
import { transition } from "../pipeline/db/tokens";
import { createLocalStore } from "../pipeline/providers/local-ipfs-store";
import { ADMIN_BODY_LIMIT, createApp } from "../pipeline/server";
import { anvilAccount, localClients, mint, PLACEHOLDER_URI, waitFor } from "../scripts/lib/glisk";
import { freePort } from "../scripts/lib/processes";
import { ADMIN_TOKEN, configEnv, mintDetected, useServer } from "./helpers/server";

const h = useServer();
const author = anvilAccount(5).address;

const mintAndDetect = (quantity: number) => mintDetected(h(), { author, quantity });

const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string; message: string } }).error;

describe("authentication", () => {
  test("every admin route answers 401 without a token, with a wrong token or a wrong scheme", async () => {
    const routes: [string, string][] = [
      ["GET", "/admin/system"],
      ["GET", "/admin/tokens"],
      ["GET", "/admin/tokens/1"],
      ["POST", "/admin/reveal"],
      ["POST", "/admin/tokens/1/retry"],
      ["PUT", `/admin/authors/${author}`],
      ["GET", "/admin/queues"],
      ["GET", "/admin/queues/api/queues"],
    ];
    for (const [method, path] of routes) {
      for (const headers of [{}, { authorization: "Bearer wrong-token" }, { authorization: `Token ${ADMIN_TOKEN}` }]) {
        const response = await h().call(path, { method, token: false, headers });
        expect(response.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(401);
        expect((await errorOf(response)).code).toBe("unauthorized");
      }
    }
  });

  test("credentials are parsed strictly: one scheme, one space, the token and nothing after it", async () => {
    const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString("base64");
    const refused = [
      `Bearer ${ADMIN_TOKEN} junk`,
      `Bearer  ${ADMIN_TOKEN}`,
      `Bearer\t${ADMIN_TOKEN}`,
      `Bearer ${ADMIN_TOKEN},Bearer ${ADMIN_TOKEN}`,
      `Basic ${basic("admin", ADMIN_TOKEN)} junk`,
      `Basic ${basic("admin", ADMIN_TOKEN).replace(/=+$/, "")}!`,
    ];
    for (const authorization of refused) {
      const response = await h().call("/admin/system", { token: false, headers: { authorization } });
      expect(response.status, JSON.stringify(authorization)).toBe(401);
    }
    // The scheme is case-insensitive (RFC 9110); the token is not. (Whitespace around a header value is
    // not part of it: HTTP strips it before any application sees the header.)
    for (const authorization of [
      `BEARER ${ADMIN_TOKEN}`,
      `bearer ${ADMIN_TOKEN}`,
      `basic ${basic("x", ADMIN_TOKEN)}`,
    ]) {
      const response = await h().call("/admin/system", { token: false, headers: { authorization } });
      expect(response.status, authorization).toBe(200);
    }
    const upper = await h().call("/admin/system", { token: ADMIN_TOKEN.toUpperCase() });
    expect(upper.status).toBe(401);
  });

  test("a prefix of the token is refused and the browser is asked for Basic credentials on Bull Board", async () => {
    const prefix = await h().call("/admin/system", { token: ADMIN_TOKEN.slice(0, -1) });
    expect(prefix.status).toBe(401);
    const board = await h().call("/admin/queues", { token: false });
    expect(board.headers.get("www-authenticate")).toMatch(/^Basic /);
  });

  test("a state-changing request from another site is refused even with valid credentials", async () => {
    const basic = `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString("base64")}`;
    const before = await h().ctx.queues.reveal.count();
    for (const headers of [{ origin: "http://evil.example" }, { "sec-fetch-site": "cross-site" }]) {
      const response = await h().call("/admin/reveal", {
        method: "POST",
        token: false,
        headers: { authorization: basic, ...headers },
        body: JSON.stringify({ tokenIds: ["1"] }),
      });
      expect(response.status).toBe(403);
      expect((await errorOf(response)).code).toBe("cross_site");
    }
    expect(await h().ctx.queues.reveal.count()).toBe(before);
    const sameSite = await h().call("/admin/system", { headers: { origin: "http://evil.example" } });
    expect(sameSite.status).toBe(200);
  });

  test("HTTP Basic with the token as password opens Bull Board, whose API lists every queue", async () => {
    const basic = `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString("base64")}`;
    const page = await h().call("/admin/queues", { token: false, headers: { authorization: basic } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    const api = await h().call("/admin/queues/api/queues");
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual(Object.values(QUEUE).sort());
  });
});

describe("validation", () => {
  test("bad input answers 400 with a JSON error and changes nothing", async () => {
    const revealBefore = await h().ctx.queues.reveal.count();
    const cases: [string, string, unknown][] = [
      ["POST", "/admin/reveal", "not json"],
      ["POST", "/admin/reveal", {}],
      ["POST", "/admin/reveal", { tokenIds: [] }],
      ["POST", "/admin/reveal", { tokenIds: ["abc"] }],
      ["POST", "/admin/reveal", { tokenIds: [0] }],
      ["POST", "/admin/reveal", { tokenIds: ["1"], extra: true }],
      ["PUT", `/admin/authors/${author}`, { prompt: "   " }],
      ["PUT", `/admin/authors/${author}`, { prompt: "x".repeat(1001) }],
      ["PUT", `/admin/authors/${author}`, { prompt: "line\u0000break" }],
      ["PUT", `/admin/authors/${author}`, { prompt: 42 }],
      ["PUT", "/admin/authors/0x1234", { prompt: "fine" }],
    ];
    for (const [method, path, body] of cases) {
      const response = await h().call(path, {
        method,
        body: typeof body === "string" ? body : JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });
      expect(response.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toMatch(/^invalid_/);
      expect(error.message).not.toMatch(/at .*\.ts|node_modules/);
    }
    for (const path of [
      "/admin/tokens/abc",
      "/admin/tokens/-1",
      "/admin/tokens?status=bogus",
      "/admin/tokens?limit=0",
    ]) {
      expect((await h().call(path)).status, path).toBe(400);
    }
    expect(await h().ctx.queues.reveal.count()).toBe(revealBefore);
    expect(await getAuthor(h().ctx.db, author)).toBeUndefined();
  });

  test("an oversized admin body answers 413 and changes nothing", async () => {
    const response = await h().call(`/admin/authors/${author}`, {
      method: "PUT",
      body: JSON.stringify({ prompt: "x".repeat(ADMIN_BODY_LIMIT) }),
      headers: { "content-type": "application/json" },
    });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe("payload_too_large");
    expect(await getAuthor(h().ctx.db, author)).toBeUndefined();
  });

  test("unknown routes and unknown tokens answer 404 in the error shape", async () => {
    const route = await h().call("/nope");
    expect(route.status).toBe(404);
    expect((await errorOf(route)).code).toBe("not_found");
    const token = await h().call("/admin/tokens/999999");
    expect(token.status).toBe(404);
    expect((await errorOf(token)).code).toBe("unknown_token");
    const reveal = await h().call("/admin/reveal", { method: "POST", body: JSON.stringify({ tokenIds: ["999999"] }) });
    expect(reveal.status).toBe(404);
    expect((await h().call("/admin/tokens/999999/retry", { method: "POST" })).status).toBe(404);
  });
});

describe("admin API", () => {
  test("PUT /admin/authors/:address stores the trimmed prompt under the lowercase address", async () => {
    const response = await h().call(`/admin/authors/${author}`, {
      method: "PUT",
      body: JSON.stringify({ prompt: "  a lighthouse in fog  " }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.address).toBe(author);
    expect(JSON.stringify(body)).not.toContain("lighthouse");
    expect((await getAuthor(h().ctx.db, author))?.prompt).toBe("a lighthouse in fog");
  });

  test("GET /admin/tokens/:id shows chain state, pipeline state and history", async () => {
    const [id] = await mintAndDetect(1);
    const response = await h().call(`/admin/tokens/${id}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      chain: Record<string, unknown>;
      pipeline: Record<string, unknown>;
      history: { from: string | null; to: string }[];
    };
    expect(body.chain).toMatchObject({
      exists: true,
      owner: anvilAccount(2).address,
      isRevealed: false,
      tokenURI: PLACEHOLDER_URI,
      promptAuthor: author,
    });
    expect(body.pipeline).toMatchObject({ tokenId: id, status: "detected", author: author.toLowerCase() });
    expect(body.history).toEqual([expect.objectContaining({ from: null, to: "detected" })]);
  });

  test("a minted token the pipeline has not seen yet is shown from the chain alone", async () => {
    const { rpcUrl, contract } = h();
    const minted = await mint({ rpcUrl, address: contract, author, quantity: 1 });
    const response = await h().call(`/admin/tokens/${minted.tokenIds[0]}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { chain: { exists: boolean }; pipeline: unknown };
    expect(body.chain.exists).toBe(true);
    expect(body.pipeline).toBeNull();
  });

  test("GET /admin/tokens filters by status and pages with a cursor", async () => {
    const ids = await mintAndDetect(5);
    await transition(h().ctx.db, {
      chainId: 31337,
      tokenId: ids[0] as string,
      from: ["detected"],
      to: "failed",
      stage: "generate",
      reason: "test",
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/admin/tokens?status=detected&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const page = (await (await h().call(query)).json()) as {
        tokens: { tokenId: string; status: string }[];
        nextCursor: string | null;
      };
      expect(page.tokens.length).toBeLessThanOrEqual(2);
      for (const t of page.tokens) expect(t.status).toBe("detected");
      seen.push(...page.tokens.map((t) => t.tokenId));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    expect(seen).toEqual([...new Set(seen)]);
    expect(seen.map(BigInt)).toEqual([...seen.map(BigInt)].sort((a, b) => (a < b ? -1 : 1)));
    for (const id of ids.slice(1)) expect(seen).toContain(id);
    expect(seen).not.toContain(ids[0]);
    const failed = (await (await h().call("/admin/tokens?status=failed")).json()) as { tokens: { tokenId: string }[] };
    expect(failed.tokens.map((t) => t.tokenId)).toContain(ids[0]);
  });

  test("POST /admin/reveal enqueues a manual reveal round with the given ids", async () => {
    const ids = await mintAndDetect(2);
    const response = await h().call("/admin/reveal", { method: "POST", body: JSON.stringify({ tokenIds: ids }) });
    expect(response.status).toBe(202);
    const jobs = await h().ctx.queues.reveal.getJobs(["waiting", "delayed", "prioritized"]);
    expect(
      jobs.some((j) => j.data.trigger === "manual" && JSON.stringify(j.data.tokenIds) === JSON.stringify(ids)),
    ).toBe(true);
  });

  test("POST /admin/tokens/:id/retry refuses a token that has not failed and resets a failed one", async () => {
    const [id] = await mintAndDetect(1);
    const refused = await h().call(`/admin/tokens/${id}/retry`, { method: "POST" });
    expect(refused.status).toBe(409);
    await transition(h().ctx.db, {
      chainId: 31337,
      tokenId: id as string,
      from: ["detected"],
      to: "failed",
      stage: "generate",
      reason: "test",
    });
    const retried = await h().call(`/admin/tokens/${id}/retry`, { method: "POST" });
    expect(retried.status).toBe(202);
    expect(((await retried.json()) as { status: string }).status).toBe("detected");
  });

  test("state-changing admin requests are logged without their bodies or the token", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => lines.push(line) });
    const app = createApp({ ...h().ctx, logger });
    const response = await app.request(`/admin/authors/${author}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ prompt: "a secret garden" }),
    });
    expect(response.status).toBe(200);
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries).toContainEqual(
      expect.objectContaining({ msg: "admin request", method: "PUT", path: `/admin/authors/${author}`, status: 200 }),
    );
    expect(lines.join("")).not.toContain("secret garden");
    expect(lines.join("")).not.toContain(ADMIN_TOKEN);
  });

  test("GET /admin/system summarises config, versions, queues and keeper without secrets", async () => {
    const response = await h().call("/admin/system");
    expect(response.status).toBe(200);
    const text = await response.text();
    const body = JSON.parse(text) as {
      config: { network: { chainId: number } };
      versions: { node: string; bullmq: string };
      queues: Record<string, unknown>;
      keeper: { address: string; hasRole: boolean };
    };
    expect(body.config.network.chainId).toBe(31337);
    expect(body.versions.node).toBe(process.versions.node);
    expect(body.versions.bullmq).toMatch(/^\d+\.\d+\.\d+/);
    expect(Object.keys(body.queues).sort()).toEqual(Object.values(QUEUE).sort());
    expect(body.keeper).toMatchObject({ address: anvilAccount(1).address, hasRole: true });
    const config = h().ctx.config;
    for (const secret of [config.ADMIN_API_TOKEN, config.KEEPER_PRIVATE_KEY, config.KEEPER_PRIVATE_KEY?.slice(2)]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toContain(h().rpcUrl);
  });
});

describe("health", () => {
  test("liveness, readiness, workers and keeper answer with their state", async () => {
    expect(await (await h().call("/health", { token: false })).json()).toEqual({ status: "ok" });
    const ready = await h().call("/health/ready", { token: false });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", checks: { database: true, redis: true, rpc: true } });
    const workers = (await (await h().call("/health/workers", { token: false })).json()) as {
      queues: Record<string, { counts: Record<string, number>; workers: number }>;
    };
    expect(Object.keys(workers.queues).sort()).toEqual(Object.values(QUEUE).sort());
    expect(workers.queues.generate?.counts).toHaveProperty("waiting");
    const keeper = await h().call("/health/keeper", { token: false });
    const body = (await keeper.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ address: anvilAccount(1).address, hasRole: true });
    expect(JSON.stringify(body)).not.toContain(h().ctx.config.KEEPER_PRIVATE_KEY?.slice(2));
  });

  test("readiness answers 503 naming what is unreachable, without internals", async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const config = parseConfig({
      ...configEnv(h().ctx.config),
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      PONDER_RPC_URL_31337: dead,
    });
    const broken = await createContext(config, { db: h().ctx.db, logger: createLogger({ level: "silent" }) });
    for (const queue of Object.values(broken.queues)) queue.on("error", () => {});
    try {
      const app = createApp(broken);
      const ready = await app.request("/health/ready");
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { reason: string; checks: Record<string, boolean> };
      expect(body.checks).toEqual({ database: true, redis: false, rpc: false });
      expect(body.reason).toBe("redis unreachable, rpc unreachable");
      const keeper = await app.request("/health/keeper");
      expect(keeper.status).toBe(503);
      const keeperBody = (await keeper.json()) as { reason: string };
      expect(keeperBody.reason).toBe("rpc unreachable");
      const workers = await app.request("/health/workers");
      expect(workers.status).toBe(503);
      for (const text of [JSON.stringify(body), JSON.stringify(keeperBody), await workers.text()]) {
        expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stack/);
      }
    } finally {
      await broken.close();
    }
  });

  test("health answers that ask the RPC are reused: twenty requests cost at most a few RPC calls", async () => {
    let rpcRequests = 0;
    const counting = createServer(async (req, res) => {
      rpcRequests += 1;
      const body = await new Promise<string>((resolve) => {
        let text = "";
        req.on("data", (chunk) => (text += chunk));
        req.on("end", () => resolve(text));
      });
      const upstream = await fetch(h().rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      res.writeHead(upstream.status, { "content-type": "application/json" });
      res.end(await upstream.text());
    });
    await new Promise<void>((resolve) => counting.listen(0, "127.0.0.1", resolve));
    const rpcUrl = `http://127.0.0.1:${(counting.address() as AddressInfo).port}`;
    const config = parseConfig({
      ...configEnv(h().ctx.config),
      PONDER_RPC_URL_31337: rpcUrl,
      HEALTH_CACHE_MS: "60000",
    });
    const ctx = await createContext(config, { db: h().ctx.db, logger: createLogger({ level: "silent" }) });
    try {
      const app = createApp(ctx);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => app.request(["/health/ready", "/health/keeper"][i % 2] ?? "/health")),
      );
      expect(answers.map((r) => r.status)).toEqual(answers.map(() => answers[0]?.status));
      // One latest-block read for both routes, and the keeper's role and balance reads (one multicall
      // batch at most a few requests): far below one call per request.
      expect(rpcRequests).toBeGreaterThan(0);
      expect(rpcRequests).toBeLessThanOrEqual(5);
    } finally {
      await ctx.close();
      counting.close();
    }
  });

  test("an indexer that trails the head by more than the limits is reported lagging, and readiness fails", async () => {
    const head = await localClients(h().rpcUrl).publicClient.getBlock({ blockTag: "latest" });
    // A stand-in for Ponder's /status and /ready: ready, 40 blocks and 80 s behind.
    const indexed = { number: Number(head.number) - 40, timestamp: Number(head.timestamp) - 80 };
    const ponder = createServer((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(req.url === "/status" ? JSON.stringify({ anvil: { id: 31337, block: indexed } }) : "");
    });
    await new Promise<void>((resolve) => ponder.listen(0, "127.0.0.1", resolve));
    const indexerUrl = `http://127.0.0.1:${(ponder.address() as AddressInfo).port}`;
    const make = async (extra: Record<string, string>) => {
      const config = parseConfig({ ...configEnv(h().ctx.config), INDEXER_URL: indexerUrl, ...extra });
      return createContext(config, { db: h().ctx.db, logger: createLogger({ level: "silent" }) });
    };
    const lagging = await make({ INDEXER_MAX_LAG_BLOCKS: "30", INDEXER_MAX_LAG_SECONDS: "60" });
    const tolerant = await make({ INDEXER_MAX_LAG_BLOCKS: "30", INDEXER_MAX_LAG_SECONDS: "600" });
    try {
      const indexer = await createApp(lagging).request("/health/indexer");
      expect(indexer.status).toBe(503);
      expect(await indexer.json()).toMatchObject({
        status: "lagging",
        lag: 40,
        reason: expect.stringMatching(/40 blocks/),
      });
      const ready = await createApp(lagging).request("/health/ready");
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ indexer: { status: "lagging", lag: 40 } });
      const fine = await createApp(tolerant).request("/health/indexer");
      expect(fine.status).toBe(200);
      expect(await fine.json()).toMatchObject({ status: "ok", lag: 40 });
    } finally {
      await lagging.close();
      await tolerant.close();
      ponder.close();
    }
  });

  test("a request that takes longer than REQUEST_TIMEOUT_MS is answered 504 in the JSON error shape", async () => {
    // An indexer that accepts connections and never answers: the indexer probe waits its 3 s.
    const blackhole = await startTcpProxy({ targetPort: await freePort() });
    await blackhole.setMode("blackhole");
    const config = parseConfig({
      ...configEnv(h().ctx.config),
      INDEXER_URL: blackhole.url(),
      REQUEST_TIMEOUT_MS: "1000",
    });
    const ctx = await createContext(config, { db: h().ctx.db, logger: createLogger({ level: "silent" }) });
    try {
      const response = await createApp(ctx).request("/health/indexer");
      expect(response.status).toBe(504);
      expect(await response.json()).toEqual({
        error: { code: "timeout", message: "the request took longer than 1000 ms" },
      });
    } finally {
      await ctx.close();
      await blackhole.close();
    }
  });

  test("the indexer check answers 503 with a reason when the indexer is down", async () => {
    const response = await h().call("/health/indexer", { token: false });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ reachable: false, reason: "indexer unreachable" });
  });
});

describe("metrics", () => {
  test("/metrics is Prometheus text with token, queue and job-outcome figures", async () => {
    const worker = new Worker(
      QUEUE.pin,
      async (job) => {
        if (job.data.fail) throw new Error("permanent");
        return job.data.skip ? "skipped" : { cid: "x" };
      },
      {
        connection: h().ctx.workerConnection(),
        prefix: h().ctx.config.QUEUE_PREFIX,
      },
    );
    try {
      await h().ctx.queues.pin.add("pin", { skip: true });
      await h().ctx.queues.pin.add("pin", { skip: false });
      await h().ctx.queues.pin.add("pin", { fail: true }, { attempts: 1 });
      const text = await waitFor(
        async () => {
          const body = await (await h().call("/metrics", { token: false })).text();
          return /glisk_jobs_total\{stage="pin",outcome="skipped"\} 1\b/.test(body) &&
            /glisk_jobs_total\{stage="pin",outcome="completed"\} 1\b/.test(body) &&
            /glisk_jobs_total\{stage="pin",outcome="failed"\} 1\b/.test(body)
            ? body
            : undefined;
        },
        { message: "pin job outcomes in /metrics" },
      );
      expect(text).toMatch(/# TYPE glisk_stage_duration_seconds histogram/);
      expect(text).toMatch(/glisk_stage_duration_seconds_count\{stage="pin",outcome="skipped"\} 1\b/);
      expect(text).toMatch(/glisk_tokens\{status="detected"\} \d+/);
      expect(text).toMatch(/glisk_queue_jobs\{queue="generate",state="waiting"\} \d+/);
      expect(text).toMatch(/glisk_reveal_gas_used_total \d+/);
    } finally {
      await worker.close();
    }
    const response = await h().call("/metrics", { token: false });
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
  });
});

describe("openapi and ipfs", () => {
  test("/openapi.json is an OpenAPI 3.1 document naming every route, each of which exists", async () => {
    const doc = (await (await h().call("/openapi.json", { token: false })).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toBe("3.1.0");
    for (const path of [
      "/health",
      "/health/ready",
      "/metrics",
      "/ipfs/{cid}",
      "/admin/reveal",
      "/admin/tokens/{id}",
      "/admin/authors/{address}",
      "/admin/system",
      "/api/authors/leaderboard",
      "/api/authors/{wallet}/tokens",
      "/api/authors/challenge",
      "/api/authors/prompt",
    ]) {
      expect(doc.paths).toHaveProperty([path]);
    }
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods)) {
        const concrete = path
          .replace("{id}", "1")
          .replace("{cid}", "bafkqaaa")
          .replace("{address}", author)
          .replace("{wallet}", author);
        const response = await h().call(concrete, {
          method: method.toUpperCase(),
          body: method === "get" ? undefined : "{}",
          redirect: "manual",
        });
        if (response.status === 404) expect((await errorOf(response)).code, `${method} ${path}`).not.toBe("not_found");
      }
    }
  });

  test("GET /ipfs/:cid serves stored bytes immutably, 400 on a bad CID, 404 when unknown", async () => {
    const store = createLocalStore(h().ipfsDir);
    const bytes = new TextEncoder().encode(JSON.stringify({ name: "GLISK S0 #1" }));
    const cid = await store.put(bytes);
    const response = await h().call(`/ipfs/${cid}`, { token: false });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toContain("immutable");
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
    const again = await h().call(`/ipfs/${cid}`, { token: false, headers: { "if-none-match": `"${cid}"` } });
    expect(again.status).toBe(304);
    const head = await h().call(`/ipfs/${cid}`, { token: false, method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(bytes.byteLength));
    for (const traversal of ["..%2F..%2Fpackage.json", `${cid}%2F..%2F..%2Fpackage.json`]) {
      expect((await h().call(`/ipfs/${traversal}`, { token: false })).status, traversal).toBe(400);
    }
    const bad = await h().call("/ipfs/not-a-cid", { token: false });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).code).toBe("invalid_cid");
    const unknown = await h().call("/ipfs/bafkreihld5yx5vudecokbzjerfwyibzsxq2jxuzi7blnxx2uuz72ouoame", {
      token: false,
    });
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).code).toBe("unknown_cid");
  });
});
