/** The public HTTP surface: the origin browsers see, CORS, client IPs behind proxies, rate limits. */
import { z } from "zod";
import { int, list, optionalString } from "../../common/env";

/** An http(s) origin such as `https://glisk.xyz` (a trailing slash is dropped; a path is refused). */
export const origin = () =>
  z
    .url({ protocol: /^https?$/, error: "an http(s) origin such as https://glisk.xyz", abort: true })
    .refine((v) => /^[^/]+\/\/[^/?#]+\/?$/.test(v), "an origin only: no path, query or fragment")
    .transform((v) => new URL(v).origin);

export const publicApiEnv = z.object({
  /**
   * The origin the web client is served from and calls `/api` on (its Next.js server proxies `/api`
   * here): the domain and URI of every sign-in challenge. Default: FRONTEND_URL.
   */
  PUBLIC_URL: optionalString().pipe(origin().optional()),
  /** Gateway prefix of `image_url` in token lists; unset: this server's own `/ipfs/`. */
  PUBLIC_IPFS_GATEWAY: optionalString().pipe(z.url({ protocol: /^https?$/ }).optional()),
  /** Browser origins allowed to call `/api/*` cross-origin (CORS); empty: same-origin only. */
  PUBLIC_CORS_ORIGINS: list().pipe(z.array(origin())),
  /** Proxies in front of this server that append to X-Forwarded-For; 0 uses the socket address. */
  TRUST_PROXY_HOPS: int(0, { max: 10 }),
  /** Requests per client IP per window on every `/api` route. */
  API_RATE_LIMIT_PER_IP: int(120, { min: 1 }),
  /** Signed requests (challenges, prompt, links) per wallet per window. */
  API_RATE_LIMIT_PER_WALLET: int(10, { min: 1 }),
  API_RATE_LIMIT_WINDOW_SECONDS: int(60, { min: 1, max: 86_400 }),
  /**
   * Requests per client IP per window on every other route anyone can reach: health, metrics,
   * OpenAPI, `/ipfs`, unknown paths, and refused `/admin` logins (an operator's own requests are not counted).
   */
  OPS_RATE_LIMIT_PER_IP: int(1200, { min: 1 }),
});
