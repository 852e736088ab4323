/**
 * An OpenAI-compatible images API (OpenAI itself or a self-hosted model behind the same wire format):
 * POST {OPENAI_IMAGES_URL}/images/generations with `response_format: "b64_json"`, so the image comes
 * back in the response and nothing needs downloading. OPENAI_IMAGES_URL is the API base including
 * its version (`https://api.openai.com/v1`), or the full `/images/generations` URL.
 * There is no job id to resume: a retry generates again.
 */
import { ContentPolicyError, httpError, PermanentError, RetryableError } from "../errors";
import type { ImageProvider } from "./image";
import { sniffImageMime } from "./mime";

export type OpenAiOptions = { url: string; apiKey?: string; model: string; size: string; timeoutMs: number };

type ImagesResponse = { data?: { b64_json?: string }[] };
type ErrorBody = { error?: { code?: string | null; type?: string; message?: string } };

// The endpoint for a configured base URL (which may already name it).
const imagesEndpoint = (base: string) =>
  /\/images\/generations\/?$/.test(base) ? base : `${base.replace(/\/+$/, "")}/images/generations`;

/** The OpenAI-compatible provider. */
export function createOpenAiProvider(o: OpenAiOptions): ImageProvider {
  const endpoint = imagesEndpoint(o.url);
  return {
    name: "openai",
    generate: async ({ prompt, signal }) => {
      const timeout = AbortSignal.timeout(o.timeoutMs);
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}),
          },
          body: JSON.stringify({ model: o.model, prompt, n: 1, size: o.size, response_format: "b64_json" }),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (error) {
        throw new RetryableError(`openai images: ${(error as Error).message}`);
      }
      const text = await response.text().catch(() => "");
      if (!response.ok) {
        const body = safeJson<ErrorBody>(text);
        const code = body?.error?.code ?? body?.error?.type ?? "";
        if (response.status === 400 && /content_policy|moderation|safety/i.test(code)) {
          throw new ContentPolicyError(`openai images: ${body?.error?.message ?? code}`);
        }
        throw httpError({
          what: "openai images",
          status: response.status,
          retryAfter: response.headers.get("retry-after"),
          detail: body?.error?.message,
        });
      }
      const b64 = safeJson<ImagesResponse>(text)?.data?.[0]?.b64_json;
      if (!b64) throw new RetryableError("openai images: response without data[0].b64_json");
      const bytes = new Uint8Array(Buffer.from(b64, "base64"));
      if (!sniffImageMime(bytes)) throw new PermanentError("openai images: b64_json is not a PNG, JPEG or WebP image");
      return { bytes };
    },
  };
}

function safeJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
