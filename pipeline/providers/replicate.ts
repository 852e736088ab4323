/**
 * Replicate through the official SDK. The paid call is the prediction: it is created without
 * `Prefer: wait`, its id handed to `onCreated` (stored durably by the stage) before any waiting, and
 * polled; a retry passes the stored id back as `resumeId` and only polls, so one token and mint never
 * cost two predictions (invariant 3). Flux reports NSFW as a *failed prediction* with an error text.
 *
 * The SDK retries 429 itself without honouring Retry-After; a gate in front of its fetch remembers
 * the server's Retry-After and answers the SDK's own retries locally, so the server sees one request
 * and the stage gets a RateLimitedError carrying the real delay. The same gate stops the SDK from
 * re-sending a create whose response was lost. Replicate has no idempotency key, so such a create
 * (connection lost after the server accepted it) is the one case that can cost a second prediction.
 */
import { setTimeout as sleep } from "node:timers/promises";
import Replicate, { type Prediction } from "replicate";
import {
  ContentPolicyError,
  httpError,
  PermanentError,
  PredictionFailedError,
  parseRetryAfter,
  RetryableError,
} from "../errors";
import type { Download } from "./download";
import type { ImageProvider } from "./image";

export type ReplicateOptions = {
  token: string;
  /** owner/name (official model) or owner/name:version. */
  model: string;
  baseUrl: string;
  pollIntervalMs: number;
  /** How long one attempt waits on a prediction before handing back to BullMQ (it resumes later). */
  timeoutMs: number;
  download: Download;
};

const REQUEST_TIMEOUT_MS = 30_000;
const CONTENT_POLICY = /nsfw|content polic|safety check|sensitive content|flagged/i;

/** A fetch that stops calling the server while it is rate limited (see the file comment). */
function gatedFetch(): typeof fetch {
  let blockedUntil = 0;
  return async (input, init) => {
    const wait = blockedUntil - Date.now();
    if (wait > 0) {
      return new Response(JSON.stringify({ title: "Too Many Requests", detail: "rate limited", status: 429 }), {
        status: 429,
        headers: { "content-type": "application/json", "retry-after": (wait / 1000).toFixed(3) },
      });
    }
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetch(input, { ...init, signal });
    } catch (error) {
      // The SDK retries any thrown error, POST included: a create whose response was lost could then
      // start several paid predictions. Answer it as a failed response so the SDK gives up and the
      // stage retries with backoff (a GET is safe to retry, so it keeps the SDK's behaviour).
      if ((init?.method ?? "GET").toUpperCase() === "GET") throw error;
      const detail = `no response: ${(error as Error).message}`;
      return new Response(JSON.stringify({ title: "Network error", detail, status: 599 }), {
        status: 599,
        headers: { "content-type": "application/json" },
      });
    }
    if (response.status === 429) blockedUntil = Date.now() + parseRetryAfter(response.headers.get("retry-after"));
    return response;
  };
}

/** The HTTP response an SDK ApiError carries. Not `instanceof Response`: @hono/node-server replaces the global class. */
function responseOf(error: unknown): Pick<Response, "status" | "headers"> | undefined {
  const response = (error as { response?: Partial<Response> } | null)?.response;
  return typeof response?.status === "number" && typeof response.headers?.get === "function"
    ? (response as Response)
    : undefined;
}

/** Maps an SDK failure to our error classes; the SDK's ApiError carries the HTTP response. */
function classify(error: unknown, what: string): Error {
  const response = responseOf(error);
  if (error instanceof Error && response) {
    const detail = error.message.replace(/^Request to \S+ failed with status \d+[^:]*: /, "");
    return httpError({
      what: `replicate ${what}`,
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      detail,
    });
  }
  return new RetryableError(`replicate ${what}: ${(error as Error)?.message ?? error}`);
}

const firstOutput = (output: unknown): string | undefined => {
  const value = Array.isArray(output) ? output[0] : output;
  return typeof value === "string" ? value : undefined;
};

/** The Replicate provider. */
export function createReplicateProvider(o: ReplicateOptions): ImageProvider {
  const client = new Replicate({ auth: o.token, baseUrl: o.baseUrl, fetch: gatedFetch(), useFileOutput: false });
  const [model, version] = o.model.split(":") as [string, string | undefined];

  const create = async (prompt: string, signal?: AbortSignal): Promise<Prediction> => {
    const input = { prompt, num_outputs: 1, output_format: "png", aspect_ratio: "1:1" };
    try {
      return await client.predictions.create(
        version ? { version, input, signal } : { model: model as `${string}/${string}`, input, signal },
      );
    } catch (error) {
      throw classify(error, "create prediction");
    }
  };

  const get = async (id: string, signal?: AbortSignal): Promise<Prediction | undefined> => {
    try {
      return await client.predictions.get(id, { signal });
    } catch (error) {
      if (responseOf(error)?.status === 404) return undefined;
      throw classify(error, "get prediction");
    }
  };

  return {
    name: "replicate",
    generate: async ({ prompt, resumeId, onCreated, signal }) => {
      let prediction = resumeId ? await get(resumeId, signal) : undefined;
      if (!prediction) {
        prediction = await create(prompt, signal);
        await onCreated(prediction.id);
      }
      const deadline = Date.now() + o.timeoutMs;
      while (prediction.status === "starting" || prediction.status === "processing") {
        if (Date.now() > deadline) {
          throw new RetryableError(`replicate prediction ${prediction.id} still ${prediction.status}; resuming later`);
        }
        await sleep(o.pollIntervalMs, undefined, signal ? { signal } : undefined);
        const next = await get(prediction.id, signal);
        if (!next) throw new RetryableError(`replicate prediction ${prediction.id} disappeared`);
        prediction = next;
      }
      if (prediction.status === "failed" || prediction.status === "canceled") {
        const text = String(prediction.error ?? prediction.status);
        if (CONTENT_POLICY.test(text)) throw new ContentPolicyError(`replicate: ${text.slice(0, 300)}`);
        // A model failure is not the prompt's fault: the next attempt creates a fresh prediction.
        throw new PredictionFailedError(`replicate prediction ${prediction.id} ${prediction.status}: ${text}`);
      }
      const url = firstOutput(prediction.output);
      if (!url) throw new PermanentError(`replicate prediction ${prediction.id} succeeded without an output URL`);
      const { bytes } = await o.download(url, signal);
      return { bytes, predictionId: prediction.id };
    },
  };
}
