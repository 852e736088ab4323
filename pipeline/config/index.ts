/**
 * The pipeline's configuration, parsed once at start-up. Nothing else in the pipeline reads
 * process.env. Each concern keeps its variables in its own fragment; invariants across fragments
 * are checked here by name so a bad environment fails with one readable list.
 */
import type { z } from "zod";
import { type Network, resolveNetwork } from "../../common/network";
import { authorsEnv } from "./authors";
import { baseEnv } from "./base";
import { generateEnv } from "./generate";
import { pinEnv } from "./pin";
import { publicApiEnv } from "./public-api";
import { recoveryEnv } from "./recovery";
import { revealEnv } from "./reveal";
import { workersEnv } from "./workers";

export const pipelineEnv = baseEnv
  .extend(workersEnv.shape)
  .extend(generateEnv.shape)
  .extend(pinEnv.shape)
  .extend(revealEnv.shape)
  .extend(recoveryEnv.shape)
  .extend(publicApiEnv.shape)
  .extend(authorsEnv.shape);
type Raw = z.infer<typeof pipelineEnv>;

/** Variables whose default is derived from others (see `withDerivedDefaults`). */
type Derived =
  | "IMAGE_PROVIDER"
  | "IPFS_PROVIDER"
  | "IMAGE_RATE_LIMIT_PER_MINUTE"
  | "PUBLIC_URL"
  | "X_REDIRECT_URI"
  | "FARCASTER_SIWF_DOMAIN";

export type Config = Omit<Raw, Derived> & {
  [K in Derived]: NonNullable<Raw[K]>;
} & {
  network: Network;
};

/** Replicate's documented limit on prediction creates, per account. */
const REPLICATE_CREATES_PER_MINUTE = 600;

/** Variables an earlier version read, and what replaced them: set, they would be silently ignored. */
const removed: Record<string, string> = {
  BATCH_REVEAL_MAX_TOKENS:
    "BATCH_REVEAL_MAX_TOKENS is no longer read: a reveal transaction carries as many ready tokens as fit REVEAL_GAS_BUDGET (gas); remove it",
};

const invariants: { name: string; holds: (c: Config) => boolean; message: string }[] = [
  {
    name: "admin token in production",
    holds: (c) => c.NODE_ENV !== "production" || Boolean(c.ADMIN_API_TOKEN && c.ADMIN_API_TOKEN.length >= 16),
    message: "ADMIN_API_TOKEN (at least 16 characters) is required when NODE_ENV=production",
  },
  {
    name: "replicate token",
    holds: (c) =>
      (c.IMAGE_PROVIDER !== "replicate" && c.IMAGE_FALLBACK_PROVIDER !== "replicate") || Boolean(c.REPLICATE_API_TOKEN),
    message: "REPLICATE_API_TOKEN is required when IMAGE_PROVIDER or IMAGE_FALLBACK_PROVIDER is replicate",
  },
  {
    name: "openai endpoint",
    holds: (c) =>
      (c.IMAGE_PROVIDER !== "openai" && c.IMAGE_FALLBACK_PROVIDER !== "openai") || Boolean(c.OPENAI_IMAGES_URL),
    message: "OPENAI_IMAGES_URL is required when IMAGE_PROVIDER or IMAGE_FALLBACK_PROVIDER is openai",
  },
  {
    name: "fallback differs",
    holds: (c) => c.IMAGE_FALLBACK_PROVIDER !== c.IMAGE_PROVIDER,
    message: "IMAGE_FALLBACK_PROVIDER must differ from IMAGE_PROVIDER",
  },
  {
    name: "pinata jwt",
    holds: (c) => c.IPFS_PROVIDER !== "pinata" || Boolean(c.PINATA_JWT),
    message: "PINATA_JWT is required when IPFS_PROVIDER=pinata",
  },
  {
    name: "x client",
    holds: (c) => !c.X_CLIENT_SECRET || Boolean(c.X_CLIENT_ID),
    message: "X_CLIENT_SECRET is set without X_CLIENT_ID",
  },
  {
    name: "keeper key shape",
    holds: (c) => !c.KEEPER_PRIVATE_KEY || /^0x[0-9a-fA-F]{64}$/.test(c.KEEPER_PRIVATE_KEY),
    message: "KEEPER_PRIVATE_KEY must be 0x followed by 64 hex digits",
  },
];

/** Parses `env` into the pipeline config or throws an Error listing every problem. */
export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = [];
  const parsed = pipelineEnv.safeParse(env);
  if (!parsed.success) problems.push(...parsed.error.issues.map((i) => `- ${i.path.join(".")}: ${i.message}`));
  let network: Network | undefined;
  try {
    network = resolveNetwork(env);
  } catch (error) {
    const lines = (error as Error).message.replace(/^Invalid network configuration:\n/, "").split("\n");
    problems.push(...lines.map((l) => (l.startsWith("- ") ? l : `- ${l}`)));
  }
  // The cross-variable checks also run when some variables are malformed, on those that parsed, so
  // one start-up names every problem instead of revealing them one fix at a time.
  const raw = parsed.success ? parsed.data : parseEachVariable(env);
  const config = { ...withDerivedDefaults(raw), network } as Config;
  problems.push(...invariants.filter((i) => !i.holds(config)).map((i) => `- ${i.message}`));
  for (const [name, message] of Object.entries(removed)) if (env[name]?.trim()) problems.push(`- ${message}`);
  if (problems.length > 0) throw new Error(`Invalid pipeline configuration:\n${problems.join("\n")}`);
  return config;
}

/** Defaults that depend on other variables: providers from their credentials, the image rate limit from the provider, author API URLs from the origins. */
function withDerivedDefaults(raw: Raw): Omit<Config, "network"> {
  const publicUrl = raw.PUBLIC_URL ?? raw.FRONTEND_URL;
  const imageProvider = raw.IMAGE_PROVIDER ?? (raw.REPLICATE_API_TOKEN ? "replicate" : "local");
  return {
    ...raw,
    IMAGE_PROVIDER: imageProvider,
    // 0: no configured limit (the provider's 429s still brake).
    IMAGE_RATE_LIMIT_PER_MINUTE:
      raw.IMAGE_RATE_LIMIT_PER_MINUTE ?? (imageProvider === "replicate" ? REPLICATE_CREATES_PER_MINUTE : 0),
    IPFS_PROVIDER: raw.IPFS_PROVIDER ?? (raw.PINATA_JWT ? "pinata" : "local"),
    PUBLIC_URL: publicUrl,
    X_REDIRECT_URI: raw.X_REDIRECT_URI ?? `${publicUrl}/api/authors/x/callback`,
    FARCASTER_SIWF_DOMAIN: raw.FARCASTER_SIWF_DOMAIN ?? hostOf(raw.FRONTEND_URL),
  };
}

const hostOf = (url: string | undefined) => {
  try {
    return new URL(url ?? "").host;
  } catch {
    return "";
  }
};

/** Each variable parsed on its own, leaving out the malformed ones. */
function parseEachVariable(env: Record<string, string | undefined>): Raw {
  const values: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(pipelineEnv.shape)) {
    const result = schema.safeParse(env[key]);
    if (result.success) values[key] = result.data;
  }
  return values as Raw;
}
