/**
 * A fake OpenAI-compatible images API: POST /v1/images/generations with `response_format: b64_json`
 * → `{ created, data: [{ b64_json, revised_prompt }] }`. Errors in OpenAI's shape
 * (`{ error: { message, type, param, code } }`): 401 invalid_api_key, 400 content_policy_violation
 * for prompts marked as refused, queued faults (429 with Retry-After, 5xx). Counters per prompt.
 */
import { renderPng } from "../pipeline/providers/local-image";
import { Faults, listen, readBody, send } from "./http";

export async function startFakeOpenAi(apiKey = "sk-fake") {
  const counters = { generate: 0, byPrompt: new Map<string, number>() };
  const faults = new Faults<"generate">();
  const behaviour = { refuse: (_prompt: string) => false };
  let origin = "";
  const error = (message: string, type: string, code: string | null) => ({
    error: { message, type, param: null, code },
  });
  const http = await listen(async (req, res) => {
    const url = new URL(req.url ?? "/", origin);
    if (!(req.method === "POST" && url.pathname === "/v1/images/generations")) {
      return send(res, 404, error(`Invalid URL (${req.method} ${url.pathname})`, "invalid_request_error", null));
    }
    counters.generate += 1;
    const body = JSON.parse((await readBody(req)).toString() || "{}") as { prompt?: string; response_format?: string };
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return send(res, 401, error("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"));
    }
    const fault = faults.take("generate");
    if (fault) return send(res, fault.status, fault.body ?? error("injected", "server_error", null), fault.headers);
    const prompt = body.prompt ?? "";
    counters.byPrompt.set(prompt, (counters.byPrompt.get(prompt) ?? 0) + 1);
    if (behaviour.refuse(prompt)) {
      return send(
        res,
        400,
        error(
          "Your request was rejected as a result of our safety system.",
          "invalid_request_error",
          "content_policy_violation",
        ),
      );
    }
    if (body.response_format !== "b64_json") {
      return send(res, 400, error("this fake only serves b64_json", "invalid_request_error", null));
    }
    const b64_json = Buffer.from(renderPng(`openai:${prompt}`, String(counters.generate))).toString("base64");
    send(res, 200, { created: Math.floor(Date.now() / 1000), data: [{ b64_json, revised_prompt: prompt }] });
  });
  origin = http.origin;
  return {
    /** For OPENAI_IMAGES_URL. */
    url: `${origin}/v1`,
    apiKey,
    counters,
    faults,
    behaviour,
    reset: () => {
      counters.generate = 0;
      counters.byPrompt.clear();
      faults.clear();
      behaviour.refuse = () => false;
    },
    close: http.close,
  };
}

export type FakeOpenAi = Awaited<ReturnType<typeof startFakeOpenAi>>;
