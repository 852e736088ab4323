/**
 * `npm run bench:surge`: how fast a surge of mints is revealed, at what cost, in how much memory.
 * Every row starts a fresh production-shaped stack (bench/surge/stack.ts: anvil with 1 s blocks,
 * `ponder start`, the compiled pipeline, Redis, Postgres at TEST_DATABASE_URL or else PGlite), mints,
 * and reads the outcome from the chain (TokensRevealed logs, receipts) and the fake provider.
 *
 * Rows (BENCH_SURGE_ROWS, comma-separated; default all of these):
 * - `replicate:N`: N tokens in bursts of 50 from eight minters, images from the fake Replicate with
 *   Replicate's limit of 600 creates a minute (429 + Retry-After past it) and 3 s per prediction. The
 *   floor is N / rate + prediction time + 3 blocks: no pipeline can beat it without exceeding the limit.
 * - `local:N`: the same with the offline image provider: no provider limit, the pipeline's own speed.
 *   "minted by s" is when the last mint's receipt came back: no reveal can come before it.
 * - `idle-local:K`, `idle-replicate:K`: K single-token mints, each after the previous one is revealed,
 *   mint → revealed in seconds (from the mint's receipt to the reveal seen on-chain) and in blocks.
 *
 * BENCH_SURGE_KEEP_LOGS=1 keeps each row's indexer and pipeline logs.
 *
 * Peak memory is per process, from /proc: RSS (VmHWM) and PSS (shared pages counted once). Figures
 * vary with the machine and its load; nothing asserts on them.
 */
import { spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { type MintedToken, mintOne, mintSurge, watchReveals } from "./surge/chain";
import { type Peaks, watchMemory } from "./surge/memory";
import { type Provider, type Stack, startStack } from "./surge/stack";
import { markdownTable } from "./surge/table";

const REPLICATE = { kind: "replicate", perMinute: 600, predictMs: 3_000 } as const satisfies Provider;
const BLOCK_SECONDS = 1;
const CONFIRMATIONS = 3;
const DEFAULT_ROWS = "replicate:100,replicate:1000,replicate:3000,local:2000,idle-local:10,idle-replicate:10";

type Row = { kind: "replicate" | "local" | "idle-local" | "idle-replicate"; n: number };

function parseRows(spec: string): Row[] {
  return spec.split(",").map((item) => {
    const [kind, n] = item.trim().split(":");
    const row = { kind, n: Number(n) } as Row;
    if (!["replicate", "local", "idle-local", "idle-replicate"].includes(row.kind) || !(row.n > 0)) {
      throw new Error(`BENCH_SURGE_ROWS: "${item}" is not kind:count (replicate, local, idle-local, idle-replicate)`);
    }
    return row;
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? 0;
const fixed = (v: number, digits = 1) => v.toFixed(digits);

/** Mints the surge and waits until the chain shows every token revealed. */
async function surge(stack: Stack, row: Row) {
  const watcher = watchReveals({ rpcUrl: stack.rpcUrl, contract: stack.contract, fromBlock: stack.startBlock });
  const started = Date.now();
  const minted = await mintSurge({ rpcUrl: stack.rpcUrl, contract: stack.contract, count: row.n });
  const mintedBy = (Date.now() - started) / 1000;
  const perSecond = REPLICATE.perMinute / 60;
  await watcher.until(
    minted.map((t) => t.id),
    (row.n / perSecond) * 4_000 + 180_000,
  );
  const seconds = (Math.max(...[...watcher.revealed.values()].map((r) => r.seenAt)) - started) / 1000;
  await watcher.stop();
  const gas = watcher.gas();
  const floor =
    row.kind === "replicate" ? row.n / perSecond + REPLICATE.predictMs / 1000 + CONFIRMATIONS * BLOCK_SECONDS : 0;
  const created = stack.replicate?.counters.created;
  return {
    "minted by s": fixed(mintedBy),
    seconds: fixed(seconds),
    floor: floor ? fixed(floor) : "—",
    ratio: floor ? fixed(seconds / floor, 2) : "—",
    "tokens/s": fixed(row.n / seconds),
    "paid/token": created === undefined ? "—" : fixed(created / row.n, 2),
    "429s": stack.replicate ? String(stack.replicate.counters.throttled) : "—",
    "reveal txs": String(gas.transactions),
    "gas/token": String(Math.round(Number(gas.total) / row.n)),
  };
}

/** Single mints one after another: mint → revealed in seconds and blocks. */
async function idle(stack: Stack, row: Row) {
  const watcher = watchReveals({ rpcUrl: stack.rpcUrl, contract: stack.contract, fromBlock: stack.startBlock });
  const latencies: { seconds: number; blocks: number }[] = [];
  for (let i = 0; i < row.n; i++) {
    const token: MintedToken = await mintOne({ rpcUrl: stack.rpcUrl, contract: stack.contract });
    await watcher.until([token.id], 60_000);
    const reveal = watcher.revealed.get(token.id);
    if (reveal) latencies.push({ seconds: (reveal.seenAt - token.minedAt) / 1000, blocks: reveal.block - token.block });
    await new Promise((r) => setTimeout(r, 2_000));
  }
  await watcher.stop();
  const seconds = latencies.map((l) => l.seconds);
  const blocks = latencies.map((l) => l.blocks);
  const gas = watcher.gas();
  return {
    "idle p50 / max s": `${fixed(median(seconds))} / ${fixed(Math.max(...seconds))}`,
    "idle p50 / max blocks": `${median(blocks)} / ${Math.max(...blocks)}`,
    "reveal txs": String(gas.transactions),
    "gas/token": String(Math.round(Number(gas.total) / row.n)),
    "paid/token": stack.replicate ? fixed(stack.replicate.counters.created / row.n, 2) : "—",
  };
}

async function runRow(row: Row): Promise<Record<string, string>> {
  const provider: Provider = row.kind.endsWith("replicate") ? REPLICATE : { kind: "local" };
  const stack = await startStack(provider);
  const memory = watchMemory(stack.pids);
  let failed = true;
  try {
    const figures = row.kind.startsWith("idle") ? await idle(stack, row) : await surge(stack, row);
    const peaks: Record<string, Peaks> = memory.stop();
    failed = false;
    const mb = (p: Peaks | undefined) => (p ? `${p.rssMb} / ${p.pssMb}` : "—");
    return {
      row: row.kind,
      N: String(row.n),
      db: stack.database,
      ...figures,
      "pipeline MB": mb(peaks.pipeline),
      "indexer MB": mb(peaks.indexer),
      "anvil MB": mb(peaks.anvil),
      "redis MB": mb(peaks.redis),
      "CPU s (pipeline / indexer / anvil)": ["pipeline", "indexer", "anvil"]
        .map((k) => peaks[k]?.cpuSeconds ?? "—")
        .join(" / "),
    };
  } finally {
    memory.stop();
    const keep = failed || Boolean(process.env.BENCH_SURGE_KEEP_LOGS);
    if (keep) console.error(`row ${row.kind}:${row.n}${failed ? " failed" : ""}: logs kept in ${stack.logs}`);
    await stack.stop(keep);
  }
}

async function main(): Promise<void> {
  const rows = parseRows(process.env.BENCH_SURGE_ROWS || DEFAULT_ROWS);
  const root = path.resolve(import.meta.dirname, "..");
  const built = spawnSync(process.execPath, ["--import", "tsx", "scripts/build.ts", "--quiet"], { cwd: root });
  if (built.status !== 0) throw new Error(`npm run build failed:\n${built.stderr}`);
  const started = Date.now();
  const results: Record<string, string>[] = [];
  for (const row of rows) {
    const t = Date.now();
    results.push(await runRow(row));
    console.error(`  ${row.kind}:${row.n} done in ${Math.round((Date.now() - t) / 1000)} s`);
  }
  console.log(`\nbench:surge: ${rows.length} rows in ${Math.round((Date.now() - started) / 1000)} s`);
  console.log(
    `node ${process.version}, ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}; anvil 1 s blocks, REVEAL_CONFIRMATIONS ${CONFIRMATIONS}; Replicate fake: ` +
      `${REPLICATE.perMinute} creates/min, ${REPLICATE.predictMs / 1000} s per prediction; memory = peak RSS / peak PSS\n`,
  );
  console.log(markdownTable(results));
}

await main();
