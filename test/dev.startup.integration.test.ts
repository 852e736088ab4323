/**
 * `npm run dev` is candid when it cannot go on: each refusal is one clear message before anything
 * starts (no stack trace, no child process, no hang), and the exit code says it failed.
 */
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startDev } from "../scripts/lib/dev-run";
import { freePort, type Service, startAnvil } from "../scripts/lib/processes";

const root = path.resolve(import.meta.dirname, "..");

/** A Node.js older than 22 on this machine (CI machines keep their system Node 20), if any. */
function oldNode(): string | undefined {
  const found = spawnSync("sh", ["-c", "which -a node; ls /usr/bin/node /usr/local/bin/node 2>/dev/null"], {
    encoding: "utf8",
  });
  for (const candidate of new Set(found.stdout.split("\n").filter(Boolean))) {
    const version = spawnSync(candidate, ["-p", "process.versions.node"], { encoding: "utf8" }).stdout.trim();
    if (version && Number(version.split(".")[0]) < 22) return candidate;
  }
  return undefined;
}
const old = oldNode();

type Run = { code: number | null; output: string };

/** Runs dev until it exits (it must, on its own) and returns its code and output. */
async function refusedDev(extra: Record<string, string>): Promise<Run> {
  const dev = await startDev(extra);
  try {
    const code = await Promise.race([
      dev.exited,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`dev did not exit:\n${dev.output()}`)), 60_000),
      ),
    ]);
    return { code, output: dev.output() };
  } finally {
    await dev.cleanup();
  }
}

/** The refusal is one message: named once, no stack trace, and no child was started. */
function expectOneCleanMessage(run: Run, needle: string | RegExp) {
  expect(run.code).toBe(1);
  const lines = run.output.split("\n");
  expect(lines.filter((l) => (typeof needle === "string" ? l.includes(needle) : needle.test(l)))).toHaveLength(1);
  expect(run.output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(run.output).not.toMatch(/^\[(anvil|redis|indexer|pipeline)\]/m);
  expect(run.output).not.toContain("stopping");
}

describe("npm run dev refuses, with one message and nothing started", () => {
  test.skipIf(!old)("on Node.js older than 22: the first line says so and how to fix it", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "glisk-old-node-"));
    rmSync(dir, { recursive: true });
    const run = spawnSync(old as string, ["scripts/launch.cjs", "scripts/dev.ts"], {
      cwd: root,
      env: { ...process.env, GLISK_DEV_DIR: dir },
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    const [first] = (run.stderr + run.stdout).split("\n");
    expect(first).toMatch(/^GLISK needs Node\.js 22 or newer, and this is Node\.js v\d+\./);
    expect(first).toContain(".nvmrc");
    expect(first).toContain("nvm use");
    expect(existsSync(dir)).toBe(false);
  });

  test.skipIf(!old)("npm test refuses at once on an old Node.js, and .npmrc makes npm refuse to install on one", () => {
    const run = spawnSync("npm", ["test", "--", "--version"], {
      cwd: root,
      env: { ...process.env, PATH: `${path.dirname(old as string)}:${process.env.PATH}` },
      encoding: "utf8",
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("GLISK needs Node.js 22 or newer");
    expect(run.stdout).not.toMatch(/vitest\/\d/); // what `vitest --version` would have printed
    expect(readFileSync(path.join(root, ".npmrc"), "utf8")).toMatch(/^engine-strict=true$/m);
  });

  test("an invalid indexer setting (PONDER_GET_LOGS_BLOCK_RANGE=abc)", async () => {
    const run = await refusedDev({ PONDER_GET_LOGS_BLOCK_RANGE: "abc" });
    expectOneCleanMessage(run, "PONDER_GET_LOGS_BLOCK_RANGE");
    expect(run.output).toContain("[dev]      error: invalid settings");
  });

  test("GLISK_NETWORK=base without its RPC URL", async () => {
    const run = await refusedDev({ GLISK_NETWORK: "base" });
    expectOneCleanMessage(run, "PONDER_RPC_URL_8453 is required");
    expect(run.output).toContain("ANVIL_FORK_URL");
  });

  test("an existing deployment off a local chain without KEEPER_PRIVATE_KEY", async () => {
    const run = await refusedDev({ GLISK_NETWORK: "base-sepolia", PONDER_RPC_URL_84532: "http://127.0.0.1:9" });
    expectOneCleanMessage(run, "KEEPER_PRIVATE_KEY is required");
  });

  test("PONDER_RPC_URL_31337 naming another chain than dev's own anvil, without a contract", async () => {
    const run = await refusedDev({ PONDER_RPC_URL_31337: "http://127.0.0.1:9" });
    expectOneCleanMessage(run, "names a chain of your own");
  });

  test("an ANVIL_FORK_URL that does not answer", async () => {
    const run = await refusedDev({ ANVIL_FORK_URL: `http://127.0.0.1:${await freePort()}` });
    expectOneCleanMessage(run, "cannot reach ANVIL_FORK_URL");
  });

  describe("a fork of a chain GLISK has no preset for", () => {
    let other: Service;
    beforeAll(async () => {
      other = await startAnvil({ chainId: 4242 });
    });
    afterAll(async () => other?.stop());

    test("names the chain and the presets", async () => {
      const run = await refusedDev({ ANVIL_FORK_URL: other.url });
      expectOneCleanMessage(run, "serves chain 4242, which has no GLISK network preset");
    });
  });

  test("the indexer alone (npm run indexer) stops on a bad setting with the list, once, instead of waiting", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "glisk-indexer-"));
    try {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        GLISK_NETWORK: "base",
        PONDER_PGLITE_DIR: dir,
        PORT: String(await freePort()),
      };
      delete env.PONDER_RPC_URL_8453;
      const run = await new Promise<{ code: number | null; output: string }>((resolve) =>
        execFile(
          process.execPath,
          ["scripts/launch.cjs", "ponder", "dev", "--disable-ui", "--port", env.PORT as string],
          { cwd: root, env, timeout: 90_000 },
          (error, stdout, stderr) =>
            resolve({ code: error ? Number((error as { code?: number }).code) : 0, output: stdout + stderr }),
        ),
      );
      expect(run.code).toBe(1);
      expect(run.output.match(/PONDER_RPC_URL_8453 is required/g)).toHaveLength(1);
      expect(run.output).toContain("Invalid indexer configuration:");
      expect(run.output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  test("npm run mint -- --help prints the usage", async () => {
    const run = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile("npm", ["run", "--silent", "mint", "--", "--help"], { cwd: root }, (error, stdout) =>
        resolve({ code: error ? 1 : 0, stdout }),
      ),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npm run mint -- \[options\]/);
    expect(run.stdout).toContain("--quantity");
  });
});
