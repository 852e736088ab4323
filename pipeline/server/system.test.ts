import { describe, expect, test } from "vitest";
import { parseConfig } from "../config";
import type { Context } from "../context";
import { systemSummary } from "./system";

describe("GET /admin/system versions", () => {
  test("names the version of every listed package, including those whose exports hide package.json", async () => {
    const config = parseConfig({ GLISK_CONTRACT_ADDRESS: "0x5FbDB2315678afecb367f032d93F642f64180aa3" });
    // Versions need neither Redis nor a chain: without them the summary reports those parts unreachable.
    const ctx = { config, queues: {} } as unknown as Context;
    const { versions } = await systemSummary(ctx);
    for (const name of ["glisk", "bullmq", "hono", "viem", "kysely"] as const) {
      expect(versions[name], name).toMatch(/^\d+\.\d+\.\d+/);
    }
  });
});
