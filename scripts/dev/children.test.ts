import { afterEach, describe, expect, test, vi } from "vitest";
import { secretValuesOfEnv } from "../../common/secrets";
import { startChild } from "./children";

afterEach(() => vi.restoreAllMocks());

describe("dev's children", () => {
  test("every line a child prints is scrubbed of the secrets of dev's environment, split chunks included", async () => {
    const env = {
      PONDER_RPC_URL_8453: "https://base.example/v2/rpc-key-0123456789abcdef?apikey=query-secret-42",
      REPLICATE_API_TOKEN: "r8_replicate_token_abcdef",
      ADMIN_API_TOKEN: "admin-token-0123456789abcdef",
      PORT: "42070",
    };
    const printed: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    // The token arrives in two writes, as a pipe may split any line.
    const script = `
      process.stdout.write("rpc ${env.PONDER_RPC_URL_8453} failed\\n");
      process.stdout.write("token r8_replicate");
      setTimeout(() => { process.stdout.write("_token_abcdef and port ${env.PORT}\\n"); process.stderr.write("admin ${env.ADMIN_API_TOKEN}\\n"); }, 50);
    `;
    const child = startChild({
      name: "pipeline",
      command: process.execPath,
      args: ["-e", script],
      redact: secretValuesOfEnv(env),
    });
    await new Promise((resolve) => child.process.once("close", resolve));
    vi.restoreAllMocks();
    const text = printed.join("");
    expect(text).toContain("rpc [redacted] failed");
    expect(text).toContain("token [redacted] and port 42070");
    expect(text).toContain("admin [redacted]");
    for (const secret of [
      "rpc-key-0123456789abcdef",
      "query-secret-42",
      "r8_replicate_token_abcdef",
      env.ADMIN_API_TOKEN,
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
