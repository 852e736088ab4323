/**
 * The public API's rate limits from two replicas sharing one Redis: per client IP (the proxy's
 * X-Forwarded-For entry, TRUST_PROXY_HOPS=1) on every /api route, and per wallet on signed requests.
 * Past the limit: 429, Retry-After, the public error shape, whichever replica is asked. Every other
 * route anyone can reach has one per-IP limit of its own, which also counts refused admin logins.
 */
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { postJson, refusal } from "./helpers/authors";
import { startVariant, useServer, type Variant } from "./helpers/server";

const h = useServer({
  TRUST_PROXY_HOPS: "1",
  API_RATE_LIMIT_PER_IP: "5",
  API_RATE_LIMIT_PER_WALLET: "3",
  API_RATE_LIMIT_WINDOW_SECONDS: "60",
  OPS_RATE_LIMIT_PER_IP: "4",
  ADMIN_API_TOKEN: "admin-token-of-the-rate-limit-test",
});
let replica: Variant;
beforeAll(async () => {
  replica = await startVariant(h());
});
afterAll(async () => replica?.close());

const replicas = () => [h().server.url, replica.server.url];
const from = (ip: string) => ({ "x-forwarded-for": ip });

describe("rate limits across replicas", () => {
  test("per client IP: the sixth request, on either replica, is a 429 with Retry-After; another IP is unaffected", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const url = `${replicas()[i % 2]}/api/authors/leaderboard`;
      statuses.push((await fetch(url, { headers: from("203.0.113.7") })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    for (const base of replicas()) {
      // A client cannot escape by prepending its own X-Forwarded-For entries: only the proxy's counts.
      const limited = await fetch(`${base}/api/authors/leaderboard`, { headers: from("6.6.6.6, 203.0.113.7") });
      expect(limited.status).toBe(429);
      const retryAfter = Number(limited.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      const refused = await refusal(limited);
      expect(refused).toMatchObject({ status: 429, code: "rate_limited" });
      expect(refused.detail).toMatch(/retry in \d+ s/);
    }
    expect(
      (await fetch(`${replica.server.url}/api/authors/leaderboard`, { headers: from("198.51.100.2") })).status,
    ).toBe(200);
    // Only the public API is limited.
    expect((await fetch(`${h().server.url}/health`, { headers: from("203.0.113.7") })).status).toBe(200);
    const metrics = await (await fetch(`${h().server.url}/metrics`)).text();
    expect(metrics).toMatch(/glisk_api_rate_limited_total\{limit="ip"\} [1-9]/);
  });

  test("per wallet: signed requests for one wallet are limited across replicas and client IPs", async () => {
    const wallet = privateKeyToAccount(generatePrivateKey()).address;
    const challenge = (base: string, ip: string, address = wallet) =>
      postJson(`${base}/api/authors/challenge`, { wallet_address: address, action: "x" }, from(ip));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await challenge(replicas()[i % 2] ?? "", `192.0.2.${10 + i}`)).status);
    expect(statuses).toEqual([200, 200, 200]);
    const limited = await challenge(replica.server.url, "192.0.2.20");
    expect(await refusal(limited)).toMatchObject({ status: 429, code: "rate_limited" });
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    const other = privateKeyToAccount(generatePrivateKey()).address;
    expect((await challenge(h().server.url, "192.0.2.21", other)).status).toBe(200);
  });

  test("health, metrics, OpenAPI, /ipfs and refused admin logins share one per-IP limit; the operator is not counted", async () => {
    const base = h().server.url;
    const ip = from("203.0.113.50");
    const statuses: number[] = [];
    for (const path of ["/health", "/metrics", "/openapi.json", "/ipfs/bafkreiabc"]) {
      statuses.push((await fetch(`${replicas()[statuses.length % 2]}${path}`, { headers: ip })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 400]);
    for (const path of ["/health/ready", "/ipfs/bafkreiabc", "/no-such-route", "/admin/system"]) {
      const limited = await fetch(`${base}${path}`, { headers: ip });
      expect({ path, status: limited.status }).toEqual({ path, status: 429 });
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(await limited.json()).toMatchObject({ error: { code: "rate_limited" } });
    }
    // The public API keeps its own budget, and another client keeps all of its own.
    expect((await fetch(`${base}/api/authors/leaderboard`, { headers: ip })).status).toBe(200);
    expect((await fetch(`${base}/health`, { headers: from("203.0.113.51") })).status).toBe(200);

    // Wrong admin tokens count against the limit; the operator's own requests never do.
    const guesser = from("203.0.113.52");
    const guesses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${base}/admin/system`, {
        headers: { ...guesser, authorization: `Bearer guess-${i}` },
      });
      guesses.push(response.status);
    }
    expect(guesses).toEqual([401, 401, 401, 401, 429]);
    const operator = { ...from("203.0.113.53"), authorization: "Bearer admin-token-of-the-rate-limit-test" };
    for (let i = 0; i < 6; i++) expect((await fetch(`${base}/admin/system`, { headers: operator })).status).toBe(200);
    expect(await (await fetch(`${base}/metrics`, { headers: from("203.0.113.54") })).text()).toMatch(
      /glisk_api_rate_limited_total\{limit="ops"\} [1-9]/,
    );
  });
});
