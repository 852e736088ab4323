import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { zeroAddress } from "viem";
import { describe, expect, test } from "vitest";
import { getAuthor } from "../pipeline/db/authors";
import { anvilAccount } from "../scripts/lib/glisk";
import { freePort } from "../scripts/lib/processes";
import { ADMIN_TOKEN, mintDetected, useServer } from "./helpers/server";

const h = useServer();
const bin = path.resolve(import.meta.dirname, "../bin/glisk.js");
const author = anvilAccount(6).address;

type Run = { code: number; stdout: string; stderr: string };

/** Runs the real `glisk` binary against the test server. */
function glisk(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      {
        env: { PATH: process.env.PATH, GLISK_API_URL: h().server.url, ADMIN_API_TOKEN: ADMIN_TOKEN, ...env },
        timeout: 30_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const mintAndDetect = (quantity: number) => mintDetected(h(), { author, quantity });

describe("glisk CLI", () => {
  test("author set-prompt stores the prompt", async () => {
    const run = await glisk(["author", "set-prompt", author, "a", "quiet", "harbour"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(author);
    expect((await getAuthor(h().ctx.db, author))?.prompt).toBe("a quiet harbour");
  });

  test("status prints chain and pipeline state as a table, or JSON with --json", async () => {
    const [id] = await mintAndDetect(1);
    const text = await glisk(["status", id as string]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/status\s+detected/);
    expect(text.stdout).toMatch(/revealed on-chain\s+false/);
    expect(text.stdout).toContain(anvilAccount(2).address);
    const json = await glisk(["status", id as string, "--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ tokenId: id, pipeline: { status: "detected" } });
  });

  test("status of a token minted without an author (address 0) says it is made from DEFAULT_PROMPT", async () => {
    const [id] = await mintDetected(h(), { author: zeroAddress, quantity: 1 });
    const run = await glisk(["status", id as string]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/prompt author\s+0x0{40} \(none: made from DEFAULT_PROMPT\)/);
  });

  test("help and --help print the usage and succeed", async () => {
    for (const args of [["help"], ["--help"], ["status", "-h"]]) {
      const run = await glisk(args);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Usage: glisk <command>/);
    }
  });

  test("tokens --status lists every matching token across pages", async () => {
    const ids = await mintAndDetect(3);
    const run = await glisk(["tokens", "--status", "detected", "--json"]);
    expect(run.code).toBe(0);
    const listed = (JSON.parse(run.stdout) as { tokenId: string; status: string }[]).map((t) => t.tokenId);
    for (const id of ids) expect(listed).toContain(id);
    const table = await glisk(["tokens", "--status", "detected"]);
    expect(table.stdout).toMatch(/^token\s+status\s+author/);
    expect(table.stdout).toContain(`${listed.length} token(s)`);
  });

  test("reveal enqueues a manual reveal round", async () => {
    const ids = await mintAndDetect(2);
    const run = await glisk(["reveal", ...ids]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Reveal requested");
    const jobs = await h().ctx.queues.reveal.getJobs(["waiting", "delayed", "prioritized"]);
    expect(
      jobs.some((j) => j.data.trigger === "manual" && JSON.stringify(j.data.tokenIds) === JSON.stringify(ids)),
    ).toBe(true);
  });

  test("without ADMIN_API_TOKEN it uses the token npm run dev saved", async () => {
    const devDir = mkdtempSync(path.join(tmpdir(), "glisk-cli-"));
    try {
      writeFileSync(path.join(devDir, "admin-token"), `${ADMIN_TOKEN}\n`);
      const run = await glisk(["tokens", "--json"], { ADMIN_API_TOKEN: undefined, GLISK_DEV_DIR: devDir });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
    } finally {
      rmSync(devDir, { recursive: true, force: true });
    }
  });

  test("errors exit non-zero with a clear message", async () => {
    const [id] = await mintAndDetect(1);
    const notFailed = await glisk(["retry", id as string]);
    expect(notFailed.code).toBe(1);
    expect(notFailed.stderr).toMatch(/only failed tokens can be retried.*HTTP 409/);
    const unknown = await glisk(["status", "99999999"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("HTTP 404");
    const wrongToken = await glisk(["tokens"], { ADMIN_API_TOKEN: "wrong" });
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toContain("check ADMIN_API_TOKEN");
    const noToken = await glisk(["tokens"], { ADMIN_API_TOKEN: undefined, GLISK_DEV_DIR: h().ipfsDir });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain("ADMIN_API_TOKEN is not set");
    const badId = await glisk(["status", "abc"]);
    expect(badId.code).toBe(2);
    const badPrompt = await glisk(["author", "set-prompt", "0x12", "x"]);
    expect(badPrompt.code).toBe(1);
    expect(badPrompt.stderr).toContain("HTTP 400");
    const unknownCommand = await glisk(["frobnicate"]);
    expect(unknownCommand.code).toBe(2);
    const down = await glisk(["tokens"], { GLISK_API_URL: `http://127.0.0.1:${await freePort()}` });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("cannot reach the admin API");
  });
});
