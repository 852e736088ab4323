/**
 * The public API's answers to bad input and broken dependencies: always JSON in the client's shape
 * (`detail` and `error`), 4xx for anything a caller sends, 503 when the database or Redis is down,
 * never 500; and CORS for the allowed browser origins only.
 */
import { describe, expect, test } from "vitest";
import { createLogger } from "../common/logger";
import { parseConfig } from "../pipeline/config";
import { createContext } from "../pipeline/context";
import { getAuthor } from "../pipeline/db/authors";
import { openDatabase } from "../pipeline/db/database";
import { createApp, PUBLIC_BODY_LIMIT } from "../pipeline/server";
import { anvilAccount } from "../scripts/lib/glisk";
import { freePort } from "../scripts/lib/processes";
import { refusal } from "./helpers/authors";
import { useServer } from "./helpers/server";

const h = useServer({
  AUTHOR_LEGACY_MESSAGES: "true",
  PUBLIC_CORS_ORIGINS: "https://app.example",
  API_RATE_LIMIT_PER_IP: "100000",
  API_RATE_LIMIT_PER_WALLET: "100000",
});
const api = (path: string) => `${h().server.url}/api/authors${path}`;
const address = anvilAccount(6).address;
const legacyPrompt = async (promptText: string, wallet = anvilAccount(10)) => {
  const message = `Update GLISK prompt for wallet: ${wallet.address}`;
  return {
    wallet_address: wallet.address,
    prompt_text: promptText,
    message,
    signature: await wallet.signMessage({ message }),
  };
};

describe("the public API's errors and CORS", () => {
  test("bad input answers 4xx JSON with detail and error, never 500, and changes nothing", async () => {
    const writer = anvilAccount(10);
    const good = await legacyPrompt("fine", writer);
    const cases: [RequestInit, number, string][] = [
      [{ body: "{not json", headers: { "Content-Type": "application/json" } }, 400, "invalid_request"],
      [{ body: JSON.stringify(good), headers: { "Content-Type": "text/plain" } }, 415, "unsupported_media_type"],
      [{ body: JSON.stringify({ ...good, prompt_text: "" }) }, 400, "invalid_request"],
      [{ body: JSON.stringify({ ...good, prompt_text: "x".repeat(1001) }) }, 400, "invalid_request"],
      [{ body: JSON.stringify({ ...good, wallet_address: "0x1234" }) }, 400, "invalid_request"],
      [{ body: JSON.stringify({ ...good, signature: "0xnothex" }) }, 400, "invalid_request"],
      [{ body: JSON.stringify({ ...good, message: "hello" }) }, 400, "invalid_message"],
      [{ body: JSON.stringify([]) }, 400, "invalid_request"],
      [{ body: JSON.stringify({ ...good, prompt_text: "y".repeat(PUBLIC_BODY_LIMIT) }) }, 413, "payload_too_large"],
    ];
    for (const [init, status, code] of cases) {
      const response = await fetch(api("/prompt"), {
        method: "POST",
        ...init,
        headers: { "Content-Type": "application/json", ...(init.headers as Record<string, string>) },
      });
      const refused = await refusal(response);
      expect(refused, String(init.body).slice(0, 60)).toMatchObject({ status, code });
      expect(refused.detail.length).toBeGreaterThan(0);
    }
    const bad = await fetch(api(`/${writer.address}/tokens?limit=0`));
    expect(await refusal(bad)).toMatchObject({ status: 400, code: "invalid_request" });
    expect((await fetch(api(`/${writer.address}/tokens?limit=101`))).status).toBe(400);
    expect((await fetch(api(`/${writer.address}/tokens?offset=-1`))).status).toBe(400);
    expect(await refusal(await fetch(api("/nope/nope/nope")))).toMatchObject({ status: 404, code: "not_found" });
    expect(await getAuthor(h().ctx.db, writer.address)).toBeUndefined();
  });

  test("CORS answers only the allowed origins", async () => {
    const preflight = (origin: string) =>
      fetch(api("/prompt"), {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
      });
    const allowed = await preflight("https://app.example");
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example");
    const other = await preflight("https://evil.example");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const read = await fetch(api("/leaderboard"), { headers: { origin: "https://app.example" } });
    expect(read.headers.get("access-control-allow-origin")).toBe("https://app.example");
  });
});

describe("dependencies down", () => {
  test("no database: the leaderboard is a 503 whose body is still an array; no Redis: challenges are a 503", async () => {
    const config = parseConfig({ ...h().env, REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    const db = openDatabase({ url: `postgres://nobody@127.0.0.1:${await freePort()}/none` });
    // The context is built on the working database (it claims the deployment there), then loses it.
    const opened = await createContext(config, { db: h().ctx.db, logger: createLogger({ level: "silent" }) });
    const broken = { ...opened, db };
    for (const queue of Object.values(broken.queues)) queue.on("error", () => {});
    try {
      const app = createApp(broken);
      const leaderboard = await app.request("/api/authors/leaderboard");
      expect(leaderboard.status).toBe(503);
      expect(await leaderboard.json()).toEqual([]);
      const body = JSON.stringify({ wallet_address: address, action: "prompt", prompt_text: "p" });
      const challenge = await app.request("/api/authors/challenge", {
        method: "POST",
        body,
        headers: { "content-type": "application/json" },
      });
      expect(await refusal(challenge)).toMatchObject({ status: 503, code: "state_unavailable" });
    } finally {
      await broken.close();
      await db.destroy();
    }
  });
});
