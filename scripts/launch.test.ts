/**
 * One `.env`, read by every process the project starts: npm scripts go through scripts/launch.cjs,
 * the `glisk` CLI through bin/glisk.js. Each is run here from a copy of the repository layout whose
 * `.env` the test writes, so the real checkout's settings are never touched.
 */
import { execFile, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
let copy: string;

beforeEach(() => {
  copy = mkdtempSync(path.join(tmpdir(), "glisk-launch-"));
  mkdirSync(path.join(copy, "scripts"));
  mkdirSync(path.join(copy, "bin"));
  for (const file of ["scripts/launch.cjs", "scripts/check-node.cjs", "bin/glisk.js", ".nvmrc"])
    copyFileSync(path.join(root, file), path.join(copy, file));
  for (const dir of ["node_modules", "cli", "common"]) symlinkSync(path.join(root, dir), path.join(copy, dir));
  // A TypeScript entry proves tsx is registered; it prints what it sees.
  writeFileSync(
    path.join(copy, "print.ts"),
    `const seen: Record<string, unknown> = { a: process.env.GLISK_TEST_A, b: process.env.GLISK_TEST_B, args: process.argv.slice(2) };\nconsole.log(JSON.stringify(seen));\n`,
  );
  writeFileSync(path.join(copy, ".env"), "GLISK_TEST_A=from-file\nGLISK_TEST_B=from-file\n");
});
afterEach(() => rmSync(copy, { recursive: true, force: true }));

const launch = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [path.join(copy, "scripts/launch.cjs"), ...args], {
    cwd: copy,
    env: { PATH: process.env.PATH, ...env },
    encoding: "utf8",
  });

describe("scripts/launch.cjs", () => {
  test("loads .env under the environment (variables already set win) and runs the entry with its arguments", () => {
    const run = launch(["print.ts", "--quantity", "2"], { GLISK_TEST_B: "from-env" });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({ a: "from-file", b: "from-env", args: ["--quantity", "2"] });
  });

  test("refuses a .env.local, which Ponder would read for the indexer alone", () => {
    writeFileSync(path.join(copy, ".env.local"), "GLISK_TEST_A=local\n");
    const run = launch(["print.ts"]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("Move its variables into .env and delete .env.local");
  });

  test("every npm script that starts a process of the project goes through it; tests check the Node version", () => {
    const { scripts } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    for (const name of ["dev", "start", "pipeline", "indexer", "mint", "deploy:local"])
      expect(scripts[name], name).toMatch(/^(exec )?node scripts\/launch\.cjs /);
    for (const name of ["test", "test:pglite"])
      expect(scripts[name], name).toMatch(/^node scripts\/check-node\.cjs && /);
  });
});

describe("bin/glisk.js", () => {
  let server: Server;
  let seen: { path?: string; authorization?: string } = {};
  beforeEach(async () => {
    seen = {};
    server = createServer((req, res) => {
      seen = { path: req.url, authorization: req.headers.authorization };
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ tokens: [], nextCursor: null }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("reads the admin API's address and token from the same .env", async () => {
    const { port } = server.address() as { port: number };
    writeFileSync(
      path.join(copy, ".env"),
      `GLISK_API_URL=http://127.0.0.1:${port}\nADMIN_API_TOKEN=token-from-the-env-file-0123\n`,
    );
    // Asynchronously: the server answering it runs in this process.
    const run = await new Promise<{ stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [path.join(copy, "bin/glisk.js"), "tokens", "--json"],
        { cwd: tmpdir(), env: { PATH: process.env.PATH } },
        (_error, stdout, stderr) => resolve({ stdout, stderr }),
      ),
    );
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual([]);
    expect(seen).toEqual({ path: "/admin/tokens?limit=500", authorization: "Bearer token-from-the-env-file-0123" });
  });
});
