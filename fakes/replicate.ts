/**
 * A fake Replicate API speaking its wire format, for the real `replicate` SDK:
 * - POST /v1/models/{owner}/{name}/predictions and POST /v1/predictions (version) → 201 prediction;
 *   `Prefer: wait[=n]` holds the request until the prediction finishes or n seconds pass.
 * - GET /v1/predictions/{id}: starting → processing → succeeded | failed.
 * - Errors as Replicate sends them (problem+json `{ title, detail, status }`), 401 without the token,
 *   429 with Retry-After, 422 for invalid input, Flux's NSFW failure text on failed predictions.
 * - Outputs are served by the fake itself at /files/{id}/out-0.png (expiring like the real URLs when
 *   told to). Counters per route; faults queued per route; behaviour switches below.
 * - A create rate limit like Replicate's (600 a minute by default there): a token bucket refilled
 *   evenly that holds `createBurst` creates; past it, 429 "Request was throttled" with Retry-After in
 *   whole seconds, and no prediction.
 */
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { Faults, listen, readBody, send } from "./http";
import { type Behaviour, defaultBehaviour, type FakePrediction } from "./replicate-behaviour";
import { createTokenBucket } from "./token-bucket";

export type { Behaviour, FakePrediction };

export const FLUX_NSFW_ERROR =
  "NSFW content detected. All generated images contained NSFW content. Try running it again, or try a different prompt.";

type Route = "create" | "get" | "file";

const problem = (status: number, title: string, detail: string) => ({ title, detail, status });

/** Starts the fake on loopback. `token` is the only accepted API token. */
export async function startFakeReplicate(token = "r8_fake_token") {
  const predictions = new Map<string, FakePrediction>();
  /** `create` counts requests; `created` the predictions made (the paid ones); `throttled` the 429s of the rate limit. */
  const counters = {
    create: 0,
    created: 0,
    throttled: 0,
    get: 0,
    file: 0,
    createByPrompt: new Map<string, number>(),
  };
  const faults = new Faults<Route>();
  const behaviour: Behaviour = defaultBehaviour();
  let origin = "";
  const bucket = createTokenBucket();

  const view = (p: FakePrediction) => ({
    id: p.id,
    model: p.model,
    version: p.version,
    input: p.input,
    logs: "",
    output: p.output,
    data_removed: false,
    error: p.error,
    status: p.status,
    created_at: p.created_at,
    ...(p.completed_at ? { completed_at: p.completed_at, metrics: { predict_time: 0.5 } } : {}),
    urls: {
      cancel: `${origin}/v1/predictions/${p.id}/cancel`,
      get: `${origin}/v1/predictions/${p.id}`,
      web: `https://replicate.com/p/${p.id}`,
    },
  });

  const finish = (p: FakePrediction) => {
    const prompt = String(p.input.prompt ?? "");
    if (behaviour.nsfw(prompt)) Object.assign(p, { status: "failed", error: FLUX_NSFW_ERROR });
    else if (behaviour.modelError(prompt)) Object.assign(p, { status: "failed", error: "CUDA error: out of memory" });
    else {
      const url = behaviour.outputUrl ? behaviour.outputUrl(p, origin) : `${origin}/files/${p.id}/out-0.png`;
      Object.assign(p, { status: "succeeded", output: [url] });
    }
    p.completed_at = new Date().toISOString();
  };

  const advance = (p: FakePrediction) => {
    if (p.status === "succeeded" || p.status === "failed" || p.status === "canceled") return;
    if (behaviour.hold || Date.now() - Date.parse(p.created_at) < behaviour.predictMs) {
      p.status = "processing";
      return;
    }
    p.polls += 1;
    if (p.polls <= behaviour.processingPolls) p.status = "processing";
    else finish(p);
  };

  const fault = (route: Route, res: ServerResponse) => {
    const f = faults.take(route);
    if (!f) return false;
    send(res, f.status, f.body ?? problem(f.status, "Fault", "injected fault"), {
      "content-type": "application/problem+json",
      ...f.headers,
    });
    return true;
  };

  const http = await listen(async (req, res) => {
    if (behaviour.latencyMs > 0) await new Promise((r) => setTimeout(r, behaviour.latencyMs));
    const url = new URL(req.url ?? "/", origin);
    const file = /^\/files\/([\w-]+)\/out-0\.png$/.exec(url.pathname);
    if (req.method === "GET" && file) {
      counters.file += 1;
      if (fault("file", res)) return;
      const p = predictions.get(file[1] ?? "");
      if (p?.status !== "succeeded" || behaviour.expired)
        return send(res, 404, "Not found", { "content-type": "text/plain" });
      const bytes = behaviour.outputBytes(p);
      res.writeHead(200, { "content-type": "image/png", "content-length": String(bytes.length) });
      return void res.end(bytes);
    }
    if (req.headers.authorization !== `Bearer ${token}`) {
      return send(res, 401, problem(401, "Unauthenticated", "You did not pass a valid authentication token"), {
        "content-type": "application/problem+json",
      });
    }
    const model = /^\/v1\/models\/([\w.-]+)\/([\w.-]+)\/predictions$/.exec(url.pathname);
    if (req.method === "POST" && (model || url.pathname === "/v1/predictions")) {
      counters.create += 1;
      const body = JSON.parse((await readBody(req)).toString() || "{}") as {
        input?: { prompt?: string };
        version?: string;
      };
      const wait = bucket.take({ perMinute: behaviour.createsPerMinute, burst: behaviour.createBurst });
      if (wait !== undefined) {
        counters.throttled += 1;
        const detail = `Request was throttled. Expected available in ${wait} second${wait === 1 ? "" : "s"}.`;
        return send(res, 429, problem(429, "Request was throttled.", detail), {
          "content-type": "application/problem+json",
          "retry-after": String(wait),
        });
      }
      const dropped = faults.take("create");
      if (dropped && !dropped.drop) {
        return send(res, dropped.status, dropped.body ?? problem(dropped.status, "Fault", "injected fault"), {
          "content-type": "application/problem+json",
          ...dropped.headers,
        });
      }
      const prompt = body.input?.prompt;
      if (typeof prompt !== "string" || prompt.length === 0) {
        return send(
          res,
          422,
          {
            ...problem(422, "Input validation failed", "- input.prompt: Required"),
            invalid_fields: [{ type: "required", field: "input.prompt", description: "prompt is required" }],
          },
          { "content-type": "application/problem+json" },
        );
      }
      counters.createByPrompt.set(prompt, (counters.createByPrompt.get(prompt) ?? 0) + 1);
      counters.created += 1;
      const p: FakePrediction = {
        id: randomBytes(13)
          .toString("base64url")
          .toLowerCase()
          .replace(/[^a-z0-9]/g, "x"),
        model: model ? `${model[1]}/${model[2]}` : "unknown/unknown",
        version: body.version ?? "hidden",
        input: body.input ?? {},
        status: "starting",
        output: null,
        error: null,
        polls: 0,
        created_at: new Date().toISOString(),
        completed_at: null,
      };
      predictions.set(p.id, p);
      await behaviour.afterCreate?.(p);
      const prefer = /wait(?:=(\d+))?/.exec(String(req.headers.prefer ?? ""));
      if (prefer) {
        // Blocking mode: answer when the prediction finished or after the wait window (max 60 s),
        // with whatever state it is in then, as Replicate does.
        const deadline = Date.now() + Math.min(Number(prefer[1] ?? 60), 60) * 1000;
        while (Date.now() < deadline) {
          advance(p);
          if (p.status !== "starting" && p.status !== "processing") break;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      if (dropped?.drop) return void res.socket?.destroy();
      return send(res, 201, view(p));
    }
    const get = /^\/v1\/predictions\/([\w-]+)$/.exec(url.pathname);
    if (req.method === "GET" && get) {
      counters.get += 1;
      if (fault("get", res)) return;
      const p = predictions.get(get[1] ?? "");
      if (!p)
        return send(res, 404, problem(404, "Not found", "Not found."), { "content-type": "application/problem+json" });
      advance(p);
      return send(res, 200, view(p));
    }
    send(res, 404, problem(404, "Not found", `no route ${req.method} ${url.pathname}`));
  });
  origin = http.origin;

  return {
    /** Base URL for REPLICATE_BASE_URL. */
    url: `${origin}/v1`,
    origin,
    token,
    /** The pipeline variables that generate images here (the fake serves its outputs itself, on loopback). */
    env: {
      IMAGE_PROVIDER: "replicate",
      REPLICATE_API_TOKEN: token,
      REPLICATE_BASE_URL: `${origin}/v1`,
      IMAGE_DOWNLOAD_ALLOWED_HOSTS: "127.0.0.1",
      IMAGE_DOWNLOAD_ALLOW_LOOPBACK: "true",
    },
    counters,
    faults,
    behaviour,
    predictions,
    /** Lets held predictions finish on their next poll. */
    release: () => {
      behaviour.hold = false;
    },
    reset: () => {
      predictions.clear();
      faults.clear();
      Object.assign(counters, { create: 0, created: 0, throttled: 0, get: 0, file: 0 });
      bucket.reset();
      counters.createByPrompt.clear();
      Object.assign(
        behaviour,
        { outputUrl: undefined, createBurst: undefined, afterCreate: undefined },
        defaultBehaviour(),
      );
    },
    close: http.close,
  };
}

export type FakeReplicate = Awaited<ReturnType<typeof startFakeReplicate>>;
