/**
 * The whole system as `npm run dev` runs it: scripts/dev.ts starts anvil, redis-server, the indexer
 * (`ponder dev`) and the pipeline as separate processes in a throwaway GLISK_DEV_DIR; the test mints
 * through the chain and `npm run mint`, and checks the result on-chain, through /ipfs, GraphQL, the
 * admin API, the CLI and Bull Board in a real browser.
 *
 * Reveal settings make both triggers observable: a round is due when 30 tokens are ready (the 30
 * minted first go out together), while the wait timer is an hour, so later tokens are revealed only
 * when asked for by hand.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CID } from "multiformats/cid";
import { chromium } from "playwright-core";
import { type Address, getAddress } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GliskNFTAbi } from "../abis/GliskNFTAbi";
import { computeCid } from "../pipeline/providers/cid";
import { sniffImageMime } from "../pipeline/providers/mime";
import { commandLine } from "../scripts/dev/leftovers";
import { anvilAccount, localClients, mint, waitFor } from "../scripts/lib/glisk";
import { freePort, isListening } from "../scripts/lib/processes";

const root = path.resolve(import.meta.dirname, "..");
const TOKEN = "e2e-admin-token-0123456789abcdef";
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const authors = [3, 4, 5].map((i) => anvilAccount(i).address);
const prompts: Record<string, string> = {
  [authors[0] as string]: "a lighthouse in fog, oil painting",
  [authors[1] as string]: "a field of glass flowers at dawn",
  [authors[2] as string]: "an origami city under a violet sky",
};

let devDir = "";
let dev: ChildProcess | undefined;
let output = "";
let ports = { anvil: 0, indexer: 0, pipeline: 0, redis: 0 };
let contract: Address;
const api = () => `http://127.0.0.1:${ports.pipeline}`;
const rpcUrl = () => `http://127.0.0.1:${ports.anvil}`;

function stackEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GLISK_DEV_DIR: devDir,
    ANVIL_PORT: String(ports.anvil),
    INDEXER_PORT: String(ports.indexer),
    PORT: String(ports.pipeline),
    REDIS_PORT: String(ports.redis),
    ADMIN_API_TOKEN: TOKEN,
    NODE_ENV: "development",
    LOG_LEVEL: "warn",
    NO_COLOR: "1",
  };
  // The stack under test owns its storage: PGlite in GLISK_DEV_DIR and its own redis-server.
  for (const key of [
    "DATABASE_URL",
    "REDIS_URL",
    "GLISK_CONTRACT_ADDRESS",
    "GLISK_START_BLOCK",
    "PONDER_RPC_URL_31337",
  ]) {
    delete env[key];
  }
  return env;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = stackEnv()) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(command, args, { cwd: root, env, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const call = (pathname: string, init: RequestInit & { token?: string | false } = {}) => {
  const { token = TOKEN, headers, ...rest } = init;
  return fetch(`${api()}${pathname}`, {
    ...rest,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(rest.body ? { "content-type": "application/json" } : {}),
      ...(headers as Record<string, string>),
    },
  });
};

const read = <T>(functionName: "isRevealed" | "tokenURI" | "tokenPromptAuthor", id: bigint) =>
  localClients(rpcUrl()).publicClient.readContract({
    address: contract,
    abi: GliskNFTAbi,
    functionName,
    args: [id],
  }) as Promise<T>;

async function waitRevealed(ids: bigint[], timeoutMs: number) {
  await waitFor(
    async () => {
      const flags = await Promise.all(ids.map((id) => read<boolean>("isRevealed", id)));
      return flags.every(Boolean);
    },
    { timeoutMs, intervalMs: 500, message: `tokens ${ids.join(", ")} revealed on-chain` },
  );
}

/** Starts `npm run dev` (scripts/dev.ts) and waits for its banner. */
async function startDev(extra: NodeJS.ProcessEnv = {}): Promise<void> {
  output = "";
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/dev.ts"], {
    cwd: root,
    env: { ...stackEnv(), ...extra },
    stdio: ["ignore", "pipe", "pipe"],
  });
  dev = child;
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-200_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`npm run dev exited early:\n${output.slice(-5_000)}`);
      return output.includes("GLISK is running");
    },
    { timeoutMs: 240_000, intervalMs: 250, message: "npm run dev to print its URLs" },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${output.slice(-5_000)}`);
  });
}

/** Ctrl-C: SIGINT to the supervisor only (its children run in their own process groups). */
async function interruptDev(): Promise<number | null> {
  const child = dev;
  if (!child || child.exitCode !== null) return child?.exitCode ?? null;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

beforeAll(async () => {
  devDir = mkdtempSync(path.join(tmpdir(), "glisk-e2e-"));
  ports = { anvil: await freePort(), indexer: await freePort(), pipeline: await freePort(), redis: await freePort() };
  await startDev();
  const deployment = JSON.parse(readFileSync(path.join(devDir, "deployment.json"), "utf8")) as { address: string };
  contract = getAddress(deployment.address);
}, 300_000);

afterAll(async () => {
  await interruptDev();
  if (devDir) rmSync(devDir, { recursive: true, force: true });
}, 90_000);

describe("npm run dev, end to end", () => {
  const first30: bigint[] = [];

  test("prints the URLs a newcomer needs", () => {
    for (const text of [
      `http://127.0.0.1:${ports.indexer}/graphql`,
      `${api()}/admin/queues`,
      `${api()}/ipfs/<cid>`,
      "npm run mint -- --quantity 5",
      "tokens(orderBy:",
    ]) {
      expect(output).toContain(text);
    }
  });

  test("3 authors with prompts mint 30 tokens in several batches and every token is revealed on-chain", async () => {
    // Author 0 goes through `npm run mint`, which sets the prompt through the admin API first.
    const minted = await run(process.execPath, [
      "--import",
      "tsx",
      "scripts/mint.ts",
      "--quantity",
      "4",
      "--author",
      authors[0] as string,
      "--prompt",
      prompts[authors[0] as string] as string,
    ]);
    expect(minted.stderr).toBe("");
    expect(minted.code).toBe(0);
    expect(minted.stdout).toContain("Tokens 1–4 minted");
    first30.push(1n, 2n, 3n, 4n);
    for (const author of authors.slice(1)) {
      const response = await call(`/admin/authors/${author}`, {
        method: "PUT",
        body: JSON.stringify({ prompt: prompts[author] }),
      });
      expect(response.status).toBe(200);
    }
    const batches: [number, number, number][] = [
      [1, 6, 2],
      [2, 5, 6],
      [0, 3, 7],
      [1, 7, 2],
      [2, 5, 6],
    ];
    for (const [author, quantity, minter] of batches) {
      const result = await mint({
        rpcUrl: rpcUrl(),
        address: contract,
        author: authors[author] as Address,
        quantity,
        minter: anvilAccount(minter),
      });
      first30.push(...result.tokenIds);
    }
    expect(first30).toHaveLength(30);
    await waitRevealed(first30, 180_000);
  }, 240_000);

  test("every tokenURI resolves through /ipfs to metadata whose image resolves, each CID matching its bytes", async () => {
    expect(first30).toHaveLength(30);
    for (const id of first30) {
      const uri = await read<string>("tokenURI", id);
      expect(uri).toMatch(/^ipfs:\/\//);
      const metadataCid = uri.slice("ipfs://".length);
      const response = await fetch(`${api()}/ipfs/${metadataCid}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/json");
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect(await computeCid(bytes, CID.parse(metadataCid).version as 0 | 1)).toBe(metadataCid);
      const metadata = JSON.parse(new TextDecoder().decode(bytes)) as { name: string; image: string };
      expect(metadata.name).toBe(`GLISK S0 #${id}`);
      const author = await read<Address>("tokenPromptAuthor", id);
      expect(JSON.stringify(metadata)).not.toContain(prompts[author]);
      expect(metadata.image).toMatch(/^ipfs:\/\//);
      const imageCid = metadata.image.slice("ipfs://".length);
      const image = await fetch(`${api()}/ipfs/${imageCid}`);
      expect(image.status).toBe(200);
      const imageBytes = new Uint8Array(await image.arrayBuffer());
      expect(image.headers.get("content-type")).toBe(sniffImageMime(imageBytes));
      expect(sniffImageMime(imageBytes)).toMatch(/^image\//);
      expect(await computeCid(imageBytes, CID.parse(imageCid).version as 0 | 1)).toBe(imageCid);
    }
  });

  test("each image was made from the prompt of the author the chain records for its token", async () => {
    for (const id of first30) {
      const author = await read<Address>("tokenPromptAuthor", id);
      const body = (await (await call(`/admin/tokens/${id}`)).json()) as {
        pipeline: { status: string; author: string; promptHash: string };
        history: { to: string }[];
      };
      expect(body.pipeline.status).toBe("revealed");
      expect(body.pipeline.author).toBe(author.toLowerCase());
      const expected = createHash("sha256")
        .update(prompts[author] as string, "utf8")
        .digest("hex");
      expect(body.pipeline.promptHash).toBe(expected);
      expect(body.history.map((e) => e.to)).toEqual(
        expect.arrayContaining(["detected", "generating", "generated", "uploaded", "revealing", "revealed"]),
      );
    }
  });

  test("the indexer's GraphQL shows the 30 tokens revealed with the URIs on-chain", async () => {
    const query = `{ tokens(where: { revealed: true }, orderBy: "id", limit: 100) { items { id tokenUri } } }`;
    const items = await waitFor(
      async () => {
        const response = await fetch(`http://127.0.0.1:${ports.indexer}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query }),
        });
        const body = (await response.json()) as { data?: { tokens: { items: { id: string; tokenUri: string }[] } } };
        const found = body.data?.tokens.items ?? [];
        return found.length >= 30 ? found : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, message: "30 revealed tokens in GraphQL" },
    );
    for (const id of first30) {
      const row = items.find((t) => t.id === id.toString());
      expect(row?.tokenUri).toBe(await read<string>("tokenURI", id));
    }
  });

  test("the live API refuses a missing token with 401 and bad input with 400", async () => {
    expect((await call("/admin/system", { token: false })).status).toBe(401);
    expect((await call("/admin/system", { token: "nope" })).status).toBe(401);
    const bad = await call("/admin/reveal", { method: "POST", body: JSON.stringify({ tokenIds: ["x"] }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("invalid_request");
    expect((await call("/ipfs/not-a-cid", { token: false })).status).toBe(400);
    const ready = await call("/health/ready", { token: false });
    expect(ready.status).toBe(200);
    const indexer = (await (await call("/health/indexer", { token: false })).json()) as { status: string; lag: number };
    expect(indexer.status).toBe("ok");
    const metrics = await (await call("/metrics", { token: false })).text();
    expect(Number(metrics.match(/^glisk_reveal_gas_used_total (\d+)/m)?.[1])).toBeGreaterThan(0);
    expect(metrics).toMatch(/^glisk_tokens\{status="revealed"\} (3\d|[4-9]\d)/m);
  });

  test("Bull Board opens in a browser with the admin token and shows the three queues", async () => {
    expect(existsSync(CHROMIUM), `chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`).toBe(true);
    const profile = mkdtempSync(path.join(tmpdir(), "glisk-chromium-"));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      extraHTTPHeaders: { authorization: `Bearer ${TOKEN}` },
    });
    try {
      const page = await context.newPage();
      const response = await page.goto(`${api()}/admin/queues`);
      expect(response?.status()).toBe(200);
      for (const name of ["generate", "pin", "reveal"]) {
        await page.locator(`a[href$="/queue/${name}"]`).first().waitFor({ state: "visible", timeout: 30_000 });
      }
      expect(await page.title()).toContain("GLISK");
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
    const anonymous = await fetch(`${api()}/admin/queues`);
    expect(anonymous.status).toBe(401);
  }, 90_000);

  test("Ctrl-C stops every child, and a second run resumes the same chain and pipeline state", async () => {
    expect(await interruptDev()).toBe(0);
    expect(output).toMatch(/\[dev\]\s+stopped/);
    for (const port of Object.values(ports)) expect(await isListening(port), `port ${port} still open`).toBe(false);
    const session = JSON.parse(readFileSync(path.join(devDir, "dev-session.json"), "utf8")) as { running: boolean };
    expect(session.running).toBe(false);

    // The second run reveals only on request: this test and the next reveal ready tokens by hand.
    await startDev({ REVEAL_AUTOMATIC: "false" });
    expect(output).toContain("resuming the previous local chain");
    expect(output).not.toContain("redeployed");
    expect(await read<boolean>("isRevealed", 1n)).toBe(true);
    const token = (await (await call("/admin/tokens/1")).json()) as { pipeline: { status: string } };
    expect(token.pipeline.status).toBe("revealed");

    // Still whole after the restart: a new mint flows to ready and a manual reveal goes through.
    const { tokenIds, blockNumber } = await mint({
      rpcUrl: rpcUrl(),
      address: contract,
      author: authors[2] as Address,
      quantity: 1,
    });
    const id = tokenIds[0] as bigint;
    await waitFor(
      async () => {
        const body = (await (await call(`/admin/tokens/${id}`)).json()) as { pipeline: { status: string } | null };
        const head = await localClients(rpcUrl()).publicClient.getBlockNumber();
        return body.pipeline?.status === "uploaded" && head >= blockNumber + 4n;
      },
      { timeoutMs: 60_000, intervalMs: 250, message: `token ${id} ready after the restart` },
    );
    expect(
      (await call("/admin/reveal", { method: "POST", body: JSON.stringify({ tokenIds: [id.toString()] }) })).status,
    ).toBe(202);
    await waitRevealed([id], 60_000);
  }, 300_000);

  test("manual reveal through the API and the CLI reveals ready tokens one at a time while REVEAL_AUTOMATIC is off", async () => {
    const { tokenIds, blockNumber } = await mint({
      rpcUrl: rpcUrl(),
      address: contract,
      author: authors[1] as Address,
      quantity: 2,
    });
    const [viaApi, viaCli] = tokenIds as [bigint, bigint];
    // Past REVEAL_CONFIRMATIONS (3) first: a manual round that defers a shallow mint schedules a
    // recheck, which reveals every ready token, and this test wants to see one token at a time.
    await waitFor(async () => (await localClients(rpcUrl()).publicClient.getBlockNumber()) >= blockNumber + 4n, {
      timeoutMs: 30_000,
      intervalMs: 250,
      message: "the mint to be 4 blocks deep",
    });
    await waitFor(
      async () => {
        const page = (await (await call("/admin/tokens?status=uploaded")).json()) as { tokens: { tokenId: string }[] };
        const ready = page.tokens.map((t) => t.tokenId);
        return ready.includes(viaApi.toString()) && ready.includes(viaCli.toString());
      },
      { timeoutMs: 60_000, intervalMs: 250, message: "both tokens ready" },
    );
    expect(await read<boolean>("isRevealed", viaApi)).toBe(false);

    const response = await call("/admin/reveal", {
      method: "POST",
      body: JSON.stringify({ tokenIds: [viaApi.toString()] }),
    });
    expect(response.status).toBe(202);
    await waitRevealed([viaApi], 60_000);
    expect(await read<boolean>("isRevealed", viaCli)).toBe(false);

    const cli = await run(process.execPath, ["bin/glisk.js", "reveal", viaCli.toString()], {
      PATH: process.env.PATH,
      GLISK_API_URL: api(),
      ADMIN_API_TOKEN: TOKEN,
    });
    expect(cli.stderr).toBe("");
    expect(cli.code).toBe(0);
    await waitRevealed([viaCli], 60_000);
    const status = await run(process.execPath, ["bin/glisk.js", "status", viaCli.toString(), "--json"], {
      PATH: process.env.PATH,
      GLISK_API_URL: api(),
      ADMIN_API_TOKEN: TOKEN,
    });
    expect(JSON.parse(status.stdout)).toMatchObject({ chain: { isRevealed: true } });
  }, 150_000);

  test("after kill -9 of npm run dev, the next run stops the children it left, says so, and starts clean", async () => {
    const killed = dev as ChildProcess;
    const session = JSON.parse(readFileSync(path.join(devDir, "dev-session.json"), "utf8")) as {
      children: { name: string; pid: number }[];
    };
    expect(session.children.map((c) => c.name).sort()).toEqual(["anvil", "indexer", "pipeline", "redis"]);
    const gone = new Promise((resolve) => killed.once("exit", resolve));
    killed.kill("SIGKILL");
    await gone;
    // Running, not a zombie waiting for its new parent to reap it.
    const alive = (pid: number) => Boolean(commandLine(pid));
    // Its children run in their own process groups: they outlive it (one writing to the closed pipe
    // may die of that on its own, the others stay).
    const anvil = session.children.find((c) => c.name === "anvil");
    expect(anvil && alive(anvil.pid)).toBe(true);

    await startDev();
    expect(output).toContain(`the previous \`npm run dev\` was killed and left its anvil running (pid ${anvil?.pid})`);
    const said = [...output.matchAll(/left its (\w+) running \(pid (\d+)\): stopping it/g)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    for (const line of said) expect(session.children.map((c) => `${c.name} ${c.pid}`)).toContain(line);
    for (const c of session.children) expect(alive(c.pid), `${c.name} (pid ${c.pid}) still alive`).toBe(false);
    expect(output).toContain("starting a clean local chain");
    expect((await call("/health/ready", { token: false })).status).toBe(200);
  }, 300_000);
});
