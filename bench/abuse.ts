/**
 * `npm run bench:abuse`: how fast the indexer turns away the requests that used to knock it over,
 * and that it keeps answering while it does. A real `ponder dev` (PGlite) indexes 1,000 tokens on
 * anvil; then the circular `token.author.tokens` request (2, 6 and 20 levels deep) is sent
 * BENCH_ABUSE_REQUESTS times each (default 50), interleaved with an ordinary query, and the latency
 * of each is printed (p50 and max, ms). Figures vary with the machine; nothing asserts on them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { anvilAccount, deployGlisk, mint, waitFor } from "../scripts/lib/glisk";
import { startPonder } from "../scripts/lib/ponder";
import { startAnvil, startRedis } from "../scripts/lib/processes";

const REQUESTS = Number(process.env.BENCH_ABUSE_REQUESTS ?? 50);
const TOKENS = 1_000;

function circular(levels: number): string {
  let inner = "id";
  for (let i = 0; i < levels; i++) inner = `author { tokens(limit: 1000) { items { ${inner} } } }`;
  return `{ token(id: "1") { ${inner} } }`;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

async function timed(url: string, query: string): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
  await response.text();
  return { ms: performance.now() - started, status: response.status };
}

const anvil = await startAnvil();
const redis = await startRedis();
const dir = mkdtempSync(path.join(tmpdir(), "glisk-bench-abuse-"));
try {
  const { address, startBlock } = await deployGlisk({ rpcUrl: anvil.url, keeper: anvilAccount(1).address });
  for (let i = 0; i < TOKENS / 50; i++) {
    await mint({ rpcUrl: anvil.url, address, author: anvilAccount(3 + (i % 3)).address, quantity: 50 });
  }
  const ponder = await startPonder({
    command: "dev",
    rpcUrl: anvil.url,
    contract: address,
    startBlock,
    redisUrl: redis.url,
    queuePrefix: "bench-abuse",
    database: { kind: "pglite", dir: path.join(dir, "ponder") },
  });
  try {
    await waitFor(
      async () =>
        (await ponder.graphql<{ tokens: { totalCount: number } }>("{ tokens(limit: 1) { totalCount items { id } } }"))
          .tokens.totalCount === TOKENS,
      { timeoutMs: 60_000, message: `${TOKENS} tokens indexed` },
    );
    const ordinary = '{ tokens(limit: 20, orderBy: "id", orderDirection: "desc") { items { id owner promptAuthor } } }';
    const rows = [];
    for (const [name, query] of [
      ["circular, 2 levels", circular(2)],
      ["circular, 6 levels", circular(6)],
      ["circular, 20 levels", circular(20)],
      ["ordinary page of 20 (interleaved)", ordinary],
    ] as const) {
      const results = [];
      for (let i = 0; i < REQUESTS; i++) {
        results.push(await timed(ponder.url, query));
        if (name.startsWith("circular")) await timed(ponder.url, ordinary);
      }
      const ms = results.map((r) => r.ms);
      rows.push({
        request: name,
        statuses: [...new Set(results.map((r) => r.status))].join(","),
        "p50 ms": Number(percentile(ms, 50).toFixed(1)),
        "max ms": Number(Math.max(...ms).toFixed(1)),
      });
    }
    console.log(`indexer under abusive GraphQL (${TOKENS} tokens indexed, ${REQUESTS} requests each)`);
    console.table(rows);
  } finally {
    await ponder.stop();
  }
} finally {
  await redis.stop();
  await anvil.stop();
  rmSync(dir, { recursive: true, force: true });
}
