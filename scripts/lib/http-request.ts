/**
 * HTTP for the long-lived supervisors (npm run dev, npm start) through node:http rather than fetch:
 * fetch loads undici and its WebAssembly parser, about 15 MB of resident memory in a process that
 * only polls a few local URLs. node:https loads only for an https URL (a hosted RPC).
 *
 * Both are loaded with require, not import: an ES import builds the module's namespace from every
 * export, and node:http's WebSocket exports are getters that load undici, the very cost avoided here.
 */
import type { ClientRequest, IncomingMessage, RequestOptions } from "node:http";
import { createRequire } from "node:module";

export type HttpRequestOptions = {
  method?: "GET" | "POST";
  /** Sent as application/json. */
  json?: unknown;
  /** For the whole exchange, answer included. */
  timeoutMs: number;
};

export type HttpResponse = { status: number; body: string };

type Request = (url: URL, options: RequestOptions, answer: (response: IncomingMessage) => void) => ClientRequest;

/** Resolves with any answer (every status); rejects when there is none in time (async: a bad URL rejects too). */
export async function httpRequest(url: string, options: HttpRequestOptions): Promise<HttpResponse> {
  const target = new URL(url);
  const { request } = createRequire(import.meta.url)(target.protocol === "https:" ? "node:https" : "node:http") as {
    request: Request;
  };
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  const headers = body === undefined ? {} : { "content-type": "application/json" };
  return new Promise((resolve, reject) => {
    const req = request(target, { method: options.method ?? "GET", headers }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        text += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
      response.on("error", reject);
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer from ${target.host} within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    req.on("close", () => clearTimeout(timer));
    req.on("error", reject);
    req.end(body);
  });
}

/** The body as JSON, or undefined when it is not JSON. */
export function jsonOf(response: HttpResponse): unknown {
  try {
    return JSON.parse(response.body);
  } catch {
    return undefined;
  }
}
