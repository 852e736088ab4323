/** Image generation: provider choice, credentials, prompts, download limits, concurrency. */
import { z } from "zod";
import { bool, int, list, optionalString } from "../../common/env";

const provider = z.enum(["replicate", "openai", "local"]);

export const generateEnv = z.object({
  /** Default: replicate when REPLICATE_API_TOKEN is set, else local. */
  IMAGE_PROVIDER: provider.optional(),
  IMAGE_FALLBACK_PROVIDER: provider.optional(),
  REPLICATE_API_TOKEN: optionalString(),
  REPLICATE_MODEL: z
    .string()
    .regex(/^[\w.-]+\/[\w.-]+(:[0-9a-f]{64})?$/, "owner/name or owner/name:version")
    .default("black-forest-labs/flux-schnell"),
  REPLICATE_BASE_URL: z.string().default("https://api.replicate.com/v1"),
  /** How often a running prediction is polled. */
  REPLICATE_POLL_INTERVAL_MS: int(1_000, { min: 10 }),
  /** Transient failures of the primary provider before IMAGE_FALLBACK_PROVIDER takes over. */
  IMAGE_FALLBACK_AFTER_ATTEMPTS: int(3, { min: 1 }),
  OPENAI_IMAGES_URL: optionalString(),
  OPENAI_API_KEY: optionalString(),
  OPENAI_IMAGE_MODEL: z.string().default("dall-e-3"),
  OPENAI_IMAGE_SIZE: z.string().default("1024x1024"),
  DEFAULT_PROMPT: z.string().default("An abstract generative artwork of light and glass, vivid colours"),
  FALLBACK_PROMPT: z.string().default("A serene abstract landscape of soft gradients and geometric shapes"),
  IMAGE_DOWNLOAD_ALLOWED_HOSTS: list(),
  IMAGE_DOWNLOAD_MAX_BYTES: int(20 * 1024 * 1024, { min: 1024 }),
  IMAGE_DOWNLOAD_TIMEOUT_MS: int(30_000, { min: 100 }),
  /** Test/dev only: allow downloads from loopback (fake providers). Private ranges stay refused. */
  IMAGE_DOWNLOAD_ALLOW_LOOPBACK: bool(false),
  /**
   * Generate jobs in flight per process. A prediction is a wait on the provider, not work for this
   * process, so it is high: the provider's rate limit (below) is the brake, not this.
   */
  GENERATE_CONCURRENCY: int(64, { min: 1, max: 1_000 }),
  /**
   * Paid calls the image provider accepts per minute, across every replica (a BullMQ limiter in
   * Redis): generate jobs start no faster. Default 600 for Replicate (its documented create limit),
   * else none; 0 turns it off. A 429 still pauses every replica for its Retry-After.
   */
  IMAGE_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).optional(),
  GENERATE_TIMEOUT_SECONDS: int(300, { min: 5 }),
});
