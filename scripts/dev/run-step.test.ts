import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { devPaths } from "../../common/local-stack";
import { runStep } from "./run-step";

const dir = mkdtempSync(path.join(tmpdir(), "glisk-dev-step-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const paths = devPaths({ GLISK_DEV_DIR: dir });
const ports = { anvilPort: 18545, indexerPort: 18069, pipelinePort: 18070 };

describe("dev's start-up steps in a child process", () => {
  test("a step's result comes back as its value", async () => {
    const mode = await runStep("preflight", { env: { NODE_ENV: "development" }, paths, ports });
    expect(mode).toEqual({ kind: "local" });
  });

  test("a step's failure rejects with the step's own message, nothing added", async () => {
    const env = { NODE_ENV: "development", PONDER_GET_LOGS_BLOCK_RANGE: "abc" };
    const failed = await runStep("preflight", { env, paths, ports }).catch((error: Error) => error);
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toMatch(/^invalid settings \(from the environment or \.env\):\n {2}- /);
    expect((failed as Error).message).toContain("PONDER_GET_LOGS_BLOCK_RANGE");
  });

  test("a step that is not one fails with its name", async () => {
    const unknown = runStep("no-such-step" as "settings", { env: {} });
    await expect(unknown).rejects.toThrow('unknown dev step "no-such-step"');
  });
});
