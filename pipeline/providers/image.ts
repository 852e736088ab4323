/**
 * The image provider interface and the factory that picks one from the config. A provider turns a
 * prompt into image bytes; the generate stage owns everything around it (state, retries, pinning).
 */
import type { Config } from "../config";
import { createDownloader } from "./download";
import { createLocalImageProvider } from "./local-image";
import { createOpenAiProvider } from "./openai";
import { createReplicateProvider } from "./replicate";

export type ImageRequest = {
  tokenId: string;
  prompt: string;
  /** A prediction this provider created earlier for the same token and mint: resume it, never re-create. */
  resumeId?: string | null;
  /** Called with a paid job's id before waiting on it; the caller stores it durably. */
  onCreated: (predictionId: string) => Promise<void>;
  signal?: AbortSignal;
};

export type ImageResult = { bytes: Uint8Array; predictionId?: string };

export interface ImageProvider {
  readonly name: "replicate" | "openai" | "local";
  /**
   * Generates one image. Throws ContentPolicyError when the prompt is refused, RateLimitedError on
   * 429, PermanentError for permanent failures, anything else is retryable.
   */
  generate(request: ImageRequest): Promise<ImageResult>;
}

export type ImageProviders = { primary: ImageProvider; fallback?: ImageProvider };

/** Builds the providers named by IMAGE_PROVIDER and IMAGE_FALLBACK_PROVIDER. */
export function createImageProviders(config: Config): ImageProviders {
  const make = (name: ImageProvider["name"]): ImageProvider => {
    if (name === "local") return createLocalImageProvider();
    if (name === "replicate") {
      if (!config.REPLICATE_API_TOKEN) throw new Error("REPLICATE_API_TOKEN is required for replicate");
      return createReplicateProvider({
        token: config.REPLICATE_API_TOKEN,
        model: config.REPLICATE_MODEL,
        baseUrl: config.REPLICATE_BASE_URL,
        pollIntervalMs: config.REPLICATE_POLL_INTERVAL_MS,
        timeoutMs: config.GENERATE_TIMEOUT_SECONDS * 1000,
        // Only Replicate hands back URLs to fetch; the others return bytes.
        download: createDownloader({
          allowedHosts: config.IMAGE_DOWNLOAD_ALLOWED_HOSTS,
          maxBytes: config.IMAGE_DOWNLOAD_MAX_BYTES,
          timeoutMs: config.IMAGE_DOWNLOAD_TIMEOUT_MS,
          allowLoopback: config.IMAGE_DOWNLOAD_ALLOW_LOOPBACK,
        }),
      });
    }
    if (!config.OPENAI_IMAGES_URL) throw new Error("OPENAI_IMAGES_URL is required for openai");
    return createOpenAiProvider({
      url: config.OPENAI_IMAGES_URL,
      apiKey: config.OPENAI_API_KEY,
      model: config.OPENAI_IMAGE_MODEL,
      size: config.OPENAI_IMAGE_SIZE,
      timeoutMs: config.GENERATE_TIMEOUT_SECONDS * 1000,
    });
  };
  const primary = make(config.IMAGE_PROVIDER);
  const fallback = config.IMAGE_FALLBACK_PROVIDER ? make(config.IMAGE_FALLBACK_PROVIDER) : undefined;
  return fallback ? { primary, fallback } : { primary };
}

/**
 * Which provider serves this attempt: the fallback only after the primary failed transiently
 * IMAGE_FALLBACK_AFTER_ATTEMPTS times, and never while the primary holds a prediction for this token
 * (switching then would pay twice for one image).
 */
export function chooseProvider(
  providers: ImageProviders,
  p: { attemptsMade: number; fallbackAfter: number; storedProvider: string | null; storedPredictionId: string | null },
): ImageProvider {
  const { primary, fallback } = providers;
  if (!fallback) return primary;
  if (p.storedPredictionId && p.storedProvider === primary.name) return primary;
  if (p.storedPredictionId && p.storedProvider === fallback.name) return fallback;
  return p.attemptsMade >= p.fallbackAfter ? fallback : primary;
}
