/**
 * The author API under load, on two real pipeline processes (`pipeline/main.ts`, HTTP only) sharing
 * anvil, Redis and one database, as two replicas would:
 * - latency of a prompt set the replay-proof way (POST /challenge, sign, POST /prompt) and with the
 *   web client's fixed message, sequential, one wallet and one client IP per request;
 * - the rate limits from both replicas at once: a burst from one client IP, and a burst of
 *   challenges for one wallet from many IPs; how many got through (the limit, if counting is atomic
 *   across replicas) and how fast a 429 comes back.
 * Figures vary with the machine; nothing asserts on them.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { anvilAccount, deployGlisk, waitFor } from "../scripts/lib/glisk";
import { freePort, startAnvil, startRedis, stopProcess } from "../scripts/lib/processes";
import { createScratchDatabase } from "../scripts/lib/scratch-database";

const ROUNDS = 200;
const BURST = 300;
const IP_LIMIT = 60;
const WALLET_LIMIT = 10;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const ms = (values: number[]) =>
  `p50 ${percentile(values, 50).toFixed(1)} ms, p95 ${percentile(values, 95).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms`;

const post = (url: string, body: unknown, ip: string) =>
  fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "x-forwarded-for": ip },
    body: JSON.stringify(body),
  });

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await run();
  return [result, performance.now() - started];
}

/** Sequential prompt sets: the challenge flow and the fixed message, timings per step. */
async function latency(bases: string[]) {
  const challenge: number[] = [];
  const prompt: number[] = [];
  const total: number[] = [];
  const legacy: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const base = bases[i % bases.length] ?? "";
    const wallet = privateKeyToAccount(generatePrivateKey());
    const ip = `10.0.${Math.floor(i / 250)}.${i % 250}`;
    const prompt_text = `a lighthouse in the fog, take ${i}`;
    const started = performance.now();
    const [issued, c] = await timed(() =>
      post(`${base}/api/authors/challenge`, { wallet_address: wallet.address, action: "prompt", prompt_text }, ip),
    );
    const { message } = (await issued.json()) as { message: string };
    const signature = await wallet.signMessage({ message });
    const body = { wallet_address: wallet.address, prompt_text, message, signature };
    const [set, p] = await timed(() => post(`${base}/api/authors/prompt`, body, ip));
    if (set.status !== 200) throw new Error(`prompt set: HTTP ${set.status} ${await set.text()}`);
    challenge.push(c);
    prompt.push(p);
    total.push(performance.now() - started);
    const fixed = `Update GLISK prompt for wallet: ${wallet.address}`;
    const legacyBody = { ...body, message: fixed, signature: await wallet.signMessage({ message: fixed }) };
    const [old, l] = await timed(() => post(`${base}/api/authors/prompt`, legacyBody, ip));
    if (old.status !== 200) throw new Error(`legacy prompt set: HTTP ${old.status}`);
    legacy.push(l);
  }
  console.log(`\nprompt set, ${ROUNDS} sequential rounds alternating between the two replicas (EOA wallets):`);
  console.log(`  POST /challenge                 ${ms(challenge)}`);
  console.log(`  POST /prompt (signed challenge) ${ms(prompt)}`);
  console.log(`  challenge + sign + prompt       ${ms(total)}`);
  console.log(`  POST /prompt (fixed message)    ${ms(legacy)}`);
}

/** Concurrent bursts at both replicas: how many pass each limit, and how fast refusals come. */
async function limits(bases: string[]) {
  const burst = async (request: (i: number, base: string) => Promise<Response>) => {
    const results = await Promise.all(
      Array.from({ length: BURST }, (_, i) => timed(() => request(i, bases[i % bases.length] ?? ""))),
    );
    const passed = results.filter(([r]) => r.status === 200).length;
    const refused = results.filter(([r]) => r.status === 429);
    const retryAfter = refused[0]?.[0].headers.get("retry-after");
    return {
      passed,
      refused: refused.length,
      other: BURST - passed - refused.length,
      refusedMs: refused.map(([, t]) => t),
      retryAfter,
    };
  };
  const ip = await burst((_, base) =>
    fetch(`${base}/api/authors/leaderboard`, { headers: { "x-forwarded-for": "203.0.113.9" } }),
  );
  console.log(`\n${BURST} concurrent GET /leaderboard from one client IP over both replicas (limit ${IP_LIMIT}/min):`);
  console.log(
    `  200: ${ip.passed}, 429: ${ip.refused}, other: ${ip.other}; Retry-After ${ip.retryAfter} s; 429 latency ${ms(ip.refusedMs)}`,
  );
  const wallet = privateKeyToAccount(generatePrivateKey()).address;
  const perWallet = await burst((i, base) =>
    post(
      `${base}/api/authors/challenge`,
      { wallet_address: wallet, action: "x" },
      `198.51.${Math.floor(i / 250)}.${i % 250}`,
    ),
  );
  console.log(
    `${BURST} concurrent challenges for one wallet from ${BURST} IPs over both replicas (limit ${WALLET_LIMIT}/min):`,
  );
  console.log(
    `  200: ${perWallet.passed}, 429: ${perWallet.refused}, other: ${perWallet.other}; 429 latency ${ms(perWallet.refusedMs)}`,
  );
}

async function startReplica(env: Record<string, string>): Promise<{ base: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "pipeline/main.ts"], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/health`).catch(() => undefined))?.ok, {
    timeoutMs: 60_000,
    message: "pipeline to start",
  });
  return { base, child };
}

async function benchAuthors(): Promise<void> {
  const anvil = await startAnvil();
  const redis = await startRedis();
  const database = await createScratchDatabase();
  const replicas: ChildProcess[] = [];
  try {
    const { address, startBlock } = await deployGlisk({ rpcUrl: anvil.url, keeper: anvilAccount(1).address });
    const env = {
      NODE_ENV: "test",
      LOG_LEVEL: "warn",
      REDIS_URL: redis.url,
      GLISK_NETWORK: "anvil",
      PONDER_RPC_URL_31337: anvil.url,
      GLISK_CONTRACT_ADDRESS: address,
      GLISK_START_BLOCK: String(startBlock),
      WORKERS_ENABLED: "false",
      AUTHOR_LEGACY_MESSAGES: "true",
      TRUST_PROXY_HOPS: "1",
      API_RATE_LIMIT_PER_IP: String(IP_LIMIT),
      API_RATE_LIMIT_PER_WALLET: String(WALLET_LIMIT),
      ...(database.kind === "postgres" ? { DATABASE_URL: database.url } : {}),
    };
    // PGlite is single-process: without a Postgres server the two replicas cannot share a database.
    if (database.kind !== "postgres")
      throw new Error("bench:authors needs TEST_DATABASE_URL (two replicas, one database)");
    const a = await startReplica(env);
    replicas.push(a.child);
    const b = await startReplica(env);
    replicas.push(b.child);
    console.log(`two pipeline replicas (HTTP only), ${database.kind}, anvil, one Redis`);
    await latency([a.base, b.base]);
    await limits([a.base, b.base]);
  } finally {
    for (const child of replicas) await stopProcess(child, 20_000);
    await database.drop();
    await redis.stop();
    await anvil.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchAuthors();
