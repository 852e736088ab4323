/**
 * Secret values of the running configuration, for the logger to remove from every line.
 * Field-name redaction in the logger cannot catch a secret inside a message: viem, for one, puts
 * the full RPC URL in its error messages, and hosted RPC URLs carry their API key in the path
 * (`https://base-mainnet.g.alchemy.com/v2/<key>`).
 */
import type { Config } from "./config";
import { secretKeys } from "./config";

// Shorter values are too likely to match ordinary text (and are not real secrets anyway).
const MIN_LENGTH = 8;

/** Every secret value `config` holds: the secret variables, the non-public parts of the RPC URL, Redis's password. */
export function secretValues(
  config: Partial<Pick<Config, (typeof secretKeys)[number]>> &
    Pick<Config, "REDIS_URL"> & { network: { rpcUrl: string } },
) {
  const values: string[] = [];
  for (const key of secretKeys) {
    const value = config[key];
    if (typeof value === "string") values.push(value);
  }
  try {
    const url = new URL(config.network.rpcUrl);
    const rest = `${url.pathname === "/" ? "" : url.pathname}${url.search}`;
    if (rest || url.username || url.password) values.push(config.network.rpcUrl, rest, url.password);
  } catch {
    values.push(config.network.rpcUrl);
  }
  try {
    values.push(decodeURIComponent(new URL(config.REDIS_URL).password));
  } catch {
    // not a URL: ioredis will refuse it with a message of its own
  }
  return [...new Set(values.filter((v) => v.length >= MIN_LENGTH))].sort((a, b) => b.length - a.length);
}
