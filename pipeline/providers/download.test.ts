import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { isPermanent, PredictionFailedError } from "../errors";
import { createDownloader, isAllowedHost, isPublicAddress } from "./download";
import { renderPng } from "./local-image";

describe("download guards", () => {
  test("allowed hosts: replicate.delivery, its subdomains and configured names", () => {
    expect(isAllowedHost("replicate.delivery", [])).toBe(true);
    expect(isAllowedHost("pbxt.replicate.delivery", [])).toBe(true);
    expect(isAllowedHost("evilreplicate.delivery", [])).toBe(false);
    expect(isAllowedHost("replicate.delivery.evil.com", [])).toBe(false);
    expect(isAllowedHost("cdn.example.com", ["*.example.com"])).toBe(true);
    expect(isAllowedHost("example.com", ["*.example.com"])).toBe(false);
    expect(isAllowedHost("img.host", ["img.host"])).toBe(true);
  });

  test("private, loopback and link-local addresses are refused", () => {
    for (const ip of [
      "10.1.2.3",
      "127.0.0.1",
      "169.254.169.254",
      "172.16.0.1",
      "192.168.1.1",
      "::1",
      "fe80::1",
      "fd00::1",
      "::ffff:127.0.0.1",
      "0.0.0.0",
      "100.64.0.1",
    ]) {
      expect(isPublicAddress(ip), ip).toBe(false);
    }
    expect(isPublicAddress("8.8.8.8")).toBe(true);
    expect(isPublicAddress("2606:4700::1111")).toBe(true);
  });

  test("loopback only when allowed, private ranges never", () => {
    expect(isPublicAddress("127.0.0.1", true)).toBe(true);
    expect(isPublicAddress("::1", true)).toBe(true);
    expect(isPublicAddress("10.0.0.1", true)).toBe(false);
  });
});

describe("downloads against a local server", () => {
  const png = renderPng("download", "1");
  let origin = "";
  let close: () => Promise<void> = async () => {};
  beforeAll(async () => {
    const server = createServer((req, res) => {
      if (req.url === "/ok.png") {
        res.writeHead(200, { "content-type": "text/html" });
        return void res.end(png);
      }
      if (req.url === "/redirect") {
        res.writeHead(302, { location: `${origin.replace("127.0.0.1", "localhost")}/ok.png` });
        return void res.end();
      }
      if (req.url === "/chunked") {
        // No Content-Length: the cap has to be enforced while streaming.
        res.writeHead(200, { "content-type": "image/png" });
        res.write(png);
        res.write(Buffer.alloc(4096));
        return void res.end();
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((r) => server.close(() => r()));
  });
  afterAll(() => close());

  const download = (o: Partial<Parameters<typeof createDownloader>[0]> = {}) =>
    createDownloader({ allowedHosts: ["127.0.0.1"], maxBytes: 1_000_000, timeoutMs: 5_000, allowLoopback: true, ...o });

  test("takes the type from the bytes, not the Content-Type header", async () => {
    const result = await download()(`${origin}/ok.png`);
    expect(result.mime).toBe("image/png");
    expect(result.bytes.byteLength).toBe(png.byteLength);
  });

  test("refuses a name that resolves to a non-public address, checked at connect time", async () => {
    const port = new URL(origin).port;
    const error = await download({ allowedHosts: ["localhost"], allowLoopback: false })(
      `https://localhost:${port}/ok.png`,
    ).catch((e) => e);
    expect(isPermanent(error)).toBe(true);
    expect(String(error.message)).toMatch(/non-public/);
  });

  test("follows a redirect only to an allowed host", async () => {
    const error = await download()(`${origin}/redirect`).catch((e) => e);
    expect(isPermanent(error)).toBe(true);
    expect(String(error.message)).toMatch(/host localhost is not allowed/);
  });

  test("enforces the size cap while streaming", async () => {
    const error = await download({ maxBytes: png.byteLength + 1024 })(`${origin}/chunked`).catch((e) => e);
    expect(isPermanent(error)).toBe(true);
    expect(String(error.message)).toMatch(/cap/);
  });

  test("an expired output (404) asks for a new prediction", async () => {
    const error = await download()(`${origin}/gone.png`).catch((e) => e);
    expect(error).toBeInstanceOf(PredictionFailedError);
  });
});
