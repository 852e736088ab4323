import { Hono } from "hono";
import { describe, expect, test } from "vitest";
import { clientIp, normalizeIp } from "./client-ip";

/** What clientIp answers for a request with these headers, behind `hops` proxies (no socket: app.request). */
async function ipFor(hops: number, headers: Record<string, string>): Promise<string> {
  const app = new Hono().get("/", (c) => c.text(clientIp(c, { trustProxyHops: hops })));
  return (await app.request("/", { headers })).text();
}

describe("client IP", () => {
  test("behind one proxy the last X-Forwarded-For entry is the client; forged entries to its left are ignored", async () => {
    expect(await ipFor(1, { "x-forwarded-for": "6.6.6.6, 203.0.113.7" })).toBe("203.0.113.7");
    expect(await ipFor(2, { "x-forwarded-for": "6.6.6.6, 203.0.113.7, 10.0.0.2" })).toBe("203.0.113.7");
    expect(await ipFor(3, { "x-forwarded-for": "203.0.113.7, 10.0.0.2" })).toBe("203.0.113.7");
  });

  test("without trusted proxies the header is ignored (the socket decides)", async () => {
    expect(await ipFor(0, { "x-forwarded-for": "203.0.113.7" })).toBe("unknown");
    expect(await ipFor(1, {})).toBe("unknown");
  });

  test("IPv4-mapped addresses unwrap; IPv6 clients share their /64; garbage is unknown", () => {
    expect(normalizeIp("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(normalizeIp("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(normalizeIp("2001:db8:1:2:bbbb:cccc:dddd:eeee")).toBe("2001:db8:1:2::/64");
    expect(normalizeIp("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(normalizeIp("not an ip")).toBe("unknown");
    expect(normalizeIp(undefined)).toBe("unknown");
  });
});
