/**
 * Secret values of the running configuration, for the logger to remove from every line.
 * Field-name redaction in the logger cannot catch a secret inside a message: viem, for one, puts
 * the full RPC URL in its error messages, and hosted RPC URLs carry their API key in the path
 * (`https://base-mainnet.g.alchemy.com/v2/<key>`).
 */

/** Names of environment variables holding secrets: never logged, never returned by an API. */
export const secretKeys = [
  "ADMIN_API_TOKEN",
  "REPLICATE_API_TOKEN",
  "OPENAI_API_KEY",
  "PINATA_JWT",
  "X_CLIENT_SECRET",
  "KEEPER_PRIVATE_KEY",
  "DATABASE_URL",
] as const;

// Shorter values are too likely to match ordinary text (and are not real secrets anyway).
const MIN_LENGTH = 8;

export type SecretSource = Partial<Record<(typeof secretKeys)[number], string | undefined>> & {
  REDIS_URL: string;
  network: { rpcUrl: string };
  /** The pipeline's second RPC (Optimism, for Farcaster), keyed like the first. */
  FARCASTER_RPC_URL?: string;
};

/** The parts of an RPC URL that may carry an API key: all of it, its path and query, its password. */
function rpcUrlSecrets(rpcUrl: string): string[] {
  try {
    const url = new URL(rpcUrl);
    const rest = `${url.pathname === "/" ? "" : url.pathname}${url.search}`;
    return rest || url.username || url.password ? [rpcUrl, rest, url.password] : [];
  } catch {
    return [rpcUrl];
  }
}

/** Every secret value `config` holds: the secret variables, the non-public parts of the RPC URLs, Redis's password. */
export function secretValues(config: SecretSource): string[] {
  const values: string[] = [];
  for (const key of secretKeys) {
    const value = config[key];
    if (typeof value === "string") values.push(value);
  }
  values.push(...rpcUrlSecrets(config.network.rpcUrl));
  if (config.FARCASTER_RPC_URL) values.push(...rpcUrlSecrets(config.FARCASTER_RPC_URL));
  try {
    values.push(decodeURIComponent(new URL(config.REDIS_URL).password));
  } catch {
    // not a URL: ioredis will refuse it with a message of its own
  }
  return [...new Set(values.filter((v) => v.length >= MIN_LENGTH))].sort((a, b) => b.length - a.length);
}
