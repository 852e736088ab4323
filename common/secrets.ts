/**
 * Secret values of the running configuration, for the logger (and the supervisors that forward the
 * children's output) to remove from every line. Field-name redaction in the logger cannot catch a
 * secret inside a message: viem, for one, puts the full RPC URL in its error messages, and hosted
 * RPC URLs carry their API key in the path (`https://base-mainnet.g.alchemy.com/v2/<key>`).
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
  "INDEXER_DATABASE_URL",
] as const;

/** Variables holding URLs whose path, query and credentials are secret (hosted RPC keys). */
const SECRET_URL_KEYS = /^(PONDER_RPC_URL_\d+|ANVIL_FORK_URL|FARCASTER_RPC_URL)$/;

// Shorter values are too likely to match ordinary text (and are not real secrets anyway).
const MIN_LENGTH = 8;

export type SecretSource = Partial<Record<(typeof secretKeys)[number], string | undefined>> & {
  REDIS_URL: string;
  network: { rpcUrl: string };
  /** The pipeline's second RPC (Optimism, for Farcaster), keyed like the first. */
  FARCASTER_RPC_URL?: string;
};

/** Every secret value `config` holds: the secret variables, the non-public parts of the RPC URLs, Redis's password. */
export function secretValues(config: SecretSource): string[] {
  const values: string[] = [];
  for (const key of secretKeys) {
    const value = config[key];
    if (typeof value === "string") values.push(value);
  }
  values.push(...urlSecrets(config.network.rpcUrl), ...passwordOf(config.REDIS_URL));
  if (config.FARCASTER_RPC_URL) values.push(...urlSecrets(config.FARCASTER_RPC_URL));
  return tidy(values);
}

/**
 * The same from a raw environment, for a supervisor that forwards its children's output (Ponder's
 * own lines included) before any of them parsed its configuration.
 */
export function secretValuesOfEnv(env: Record<string, string | undefined>): string[] {
  const values: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (!value) continue;
    if ((secretKeys as readonly string[]).includes(key)) values.push(value, ...passwordOf(value));
    else if (SECRET_URL_KEYS.test(key)) values.push(...urlSecrets(value));
    else if (key === "REDIS_URL") values.push(...passwordOf(value));
  }
  return tidy(values);
}

/** The URL itself and its non-public parts (path, query, credentials), when it has any. */
function urlSecrets(raw: string): string[] {
  try {
    const url = new URL(raw);
    const rest = `${url.pathname === "/" ? "" : url.pathname}${url.search}`;
    return rest || url.username || url.password ? [raw, rest, decodeURIComponent(url.password)] : [];
  } catch {
    return [raw];
  }
}

function passwordOf(raw: string): string[] {
  try {
    const password = decodeURIComponent(new URL(raw).password);
    return password ? [password] : [];
  } catch {
    // not a URL: whoever parses it refuses it with a message of its own
    return [];
  }
}

/** Distinct values long enough to be secrets, longest first (so a longer one is redacted whole). */
function tidy(values: string[]): string[] {
  return [...new Set(values.filter((v) => v.length >= MIN_LENGTH))].sort((a, b) => b.length - a.length);
}

/** `url` with its credentials, path and query replaced, for banners and messages: `https://host:port/…`. */
export function maskUrl(raw: string): string {
  try {
    const url = new URL(raw);
    const hidden = url.username || url.password || url.pathname !== "/" || url.search;
    return `${url.protocol}//${url.host}${hidden ? "/…" : ""}`;
  } catch {
    return "(unparsable URL)";
  }
}
