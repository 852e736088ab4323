/**
 * Downloads a provider's output at once (Replicate URLs expire after about an hour), safely:
 * - only from allowed hosts: replicate.delivery, *.replicate.delivery and IMAGE_DOWNLOAD_ALLOWED_HOSTS
 *   (exact names or `*.domain`), over https (http only with IMAGE_DOWNLOAD_ALLOW_LOOPBACK, for fakes);
 * - never to a private, link-local, loopback or otherwise special address: the check runs inside the
 *   socket's DNS lookup, so the address checked is the address connected to (no DNS rebinding);
 * - redirects are followed (at most 3) only to allowed hosts;
 * - with a total timeout and a size cap enforced while streaming;
 * - the type comes from the bytes' magic numbers (PNG, JPEG, WebP), never from headers.
 * Disallowed host, wrong type or too large → permanent; timeouts, network errors and 5xx → transient;
 * 404/410 (the output expired) → PredictionFailedError: the next attempt makes a new image.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { httpError, isPermanent, PermanentError, PredictionFailedError, RetryableError } from "../errors";
import { type ImageMime, sniffImageMime } from "./mime";

export type DownloadOptions = {
  allowedHosts: readonly string[];
  maxBytes: number;
  timeoutMs: number;
  /** Allow 127.0.0.0/8 and ::1 (tests against fake servers). Private ranges stay refused. */
  allowLoopback: boolean;
};

export type Downloaded = { bytes: Uint8Array; mime: ImageMime };
export type Download = (url: string, signal?: AbortSignal) => Promise<Downloaded>;

const DEFAULT_HOSTS = ["replicate.delivery", "*.replicate.delivery"];

const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["2001:db8::", 32],
  ["64:ff9b::", 96],
] as const) {
  blocked.addSubnet(net, prefix, "ipv6");
}
const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

/** True when `address` may be connected to. IPv4-mapped IPv6 addresses are checked as IPv4. */
export function isPublicAddress(address: string, allowLoopback = false): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const ip = mapped ?? address;
  const family = isIP(ip) === 6 ? "ipv6" : "ipv4";
  if (allowLoopback && loopback.check(ip, family)) return true;
  return !blocked.check(ip, family);
}

/** True when `host` matches an allowed name: exact, or `*.domain` for any subdomain. */
export function isAllowedHost(host: string, allowed: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, "");
  return [...DEFAULT_HOSTS, ...allowed].some((pattern) => {
    const p = pattern.toLowerCase();
    return p.startsWith("*.") ? name.endsWith(p.slice(1)) && name.length > p.length - 1 : name === p;
  });
}

function guardedLookup(allowLoopback: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      const ok = addresses.filter((a) => isPublicAddress(a.address, allowLoopback));
      if (ok.length === 0) {
        const refused = Object.assign(new Error(`refusing ${hostname}: resolves only to non-public addresses`), {
          code: "EADDRNOTALLOWED",
        });
        return callback(refused, "", 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, ok);
      const first = ok[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}

type Response = { status: number; location?: string; retryAfter: string | null; bytes?: Uint8Array };

function request(url: URL, o: DownloadOptions, signal: AbortSignal): Promise<Response> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === "https:" ? https : http;
    const req = client.get(url, { lookup: guardedLookup(o.allowLoopback), signal }, (res) => {
      const status = res.statusCode ?? 0;
      const retryAfter = (res.headers["retry-after"] as string | undefined) ?? null;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        return resolve({ status, location: res.headers.location, retryAfter });
      }
      if (status !== 200) {
        res.resume();
        return resolve({ status, retryAfter });
      }
      const declared = Number(res.headers["content-length"] ?? 0);
      if (declared > o.maxBytes) {
        res.destroy();
        return reject(new PermanentError(`image is ${declared} bytes, over the ${o.maxBytes}-byte cap`));
      }
      const parts: Buffer[] = [];
      let total = 0;
      res.on("data", (part: Buffer) => {
        total += part.length;
        if (total > o.maxBytes) {
          res.destroy();
          reject(new PermanentError(`image exceeds the ${o.maxBytes}-byte cap`));
          return;
        }
        parts.push(part);
      });
      res.on("end", () => {
        const all = Buffer.concat(parts);
        resolve({ status, retryAfter, bytes: new Uint8Array(all.buffer, all.byteOffset, all.byteLength) });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

function checkUrl(raw: string, o: DownloadOptions): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PermanentError(`output URL is not a URL: ${raw.slice(0, 200)}`);
  }
  const httpOk = url.protocol === "https:" || (url.protocol === "http:" && o.allowLoopback);
  if (!httpOk) throw new PermanentError(`output URL scheme ${url.protocol} is not allowed`);
  if (!isAllowedHost(url.hostname, o.allowedHosts))
    throw new PermanentError(`output host ${url.hostname} is not allowed`);
  if (
    isIP(url.hostname.replace(/^\[|\]$/g, "")) &&
    !isPublicAddress(url.hostname.replace(/^\[|\]$/g, ""), o.allowLoopback)
  ) {
    throw new PermanentError(`output host ${url.hostname} is not a public address`);
  }
  return url;
}

/** Creates the downloader for provider outputs. */
export function createDownloader(options: DownloadOptions): Download {
  return async (raw, outer) => {
    const signal = outer
      ? AbortSignal.any([outer, AbortSignal.timeout(options.timeoutMs)])
      : AbortSignal.timeout(options.timeoutMs);
    let url = checkUrl(raw, options);
    for (let hop = 0; hop <= 3; hop++) {
      let res: Response;
      try {
        res = await request(url, options, signal);
      } catch (error) {
        if (isPermanent(error)) throw error;
        const code = (error as { code?: string }).code;
        if (code === "EADDRNOTALLOWED") throw new PermanentError((error as Error).message);
        throw new RetryableError(`download from ${url.hostname} failed: ${(error as Error).message}`);
      }
      if (res.location) {
        url = checkUrl(new URL(res.location, url).toString(), options);
        continue;
      }
      // Provider outputs expire (Replicate: about an hour): the job that made it has to be redone.
      if (res.status === 404 || res.status === 410) {
        throw new PredictionFailedError(`output at ${url.hostname} is gone (HTTP ${res.status})`);
      }
      if (!res.bytes)
        throw httpError({ what: `download from ${url.hostname}`, status: res.status, retryAfter: res.retryAfter });
      const mime = sniffImageMime(res.bytes);
      if (!mime) throw new PermanentError(`output from ${url.hostname} is not a PNG, JPEG or WebP image`);
      return { bytes: res.bytes, mime };
    }
    throw new PermanentError("output URL redirects more than 3 times");
  };
}
