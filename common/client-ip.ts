/**
 * Who is calling: the client IP a rate limit is keyed by. Behind `trustProxyHops` proxies that each
 * append the address they received from to X-Forwarded-For, the client is the entry that many places
 * from the right (entries further left were written by the client and can be forged). With no proxy
 * the socket's address is the client. IPv6 clients are keyed by their /64: one host owns a whole /64.
 */

import { isIP } from "node:net";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";

export type ClientIpOptions = { trustProxyHops: number };

/** The socket's remote address, or undefined where there is none (`app.request` in tests). */
function socketAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/** The client address of `c`'s request ("unknown" when neither the socket nor the header tells). */
export function clientIp(c: Context, options: ClientIpOptions): string {
  const socket = socketAddress(c);
  if (options.trustProxyHops === 0) return normalizeIp(socket);
  const forwarded = (c.req.header("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  // The nearest proxy wrote the last entry; a shorter list than the hops trusted means the first entry is the client.
  const entry = forwarded[Math.max(0, forwarded.length - options.trustProxyHops)];
  return normalizeIp(entry ?? socket);
}

/** `::ffff:1.2.3.4` as `1.2.3.4`, an IPv6 address as its /64 prefix, anything unparseable as "unknown". */
export function normalizeIp(raw: string | undefined): string {
  if (!raw) return "unknown";
  const address = raw.startsWith("::ffff:") && isIP(raw.slice(7)) === 4 ? raw.slice(7) : raw;
  const version = isIP(address);
  if (version === 4) return address;
  if (version === 6) return `${expandIpv6(address).slice(0, 4).join(":")}::/64`;
  return "unknown";
}

/** The eight groups of an IPv6 address, `::` expanded (an embedded IPv4 tail counts as two groups). */
function expandIpv6(address: string): string[] {
  const [head = "", tail] = address.toLowerCase().split("%")[0]?.split("::") ?? [];
  const groups = (part: string) => (part ? part.split(":").flatMap((g) => (g.includes(".") ? ["0", "0"] : [g])) : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const fill = Array.from({ length: 8 - left.length - right.length }, () => "0");
  return [...left, ...fill, ...right].map((g) => g.replace(/^0+(?=.)/, ""));
}
