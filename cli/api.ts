/** A small client for the pipeline's admin API, with errors a person can act on. */
import { existsSync, readFileSync } from "node:fs";
import { devPaths } from "../scripts/dev/session";

/**
 * The admin API's address: `override` (a flag), else GLISK_API_URL, else the pipeline's own PORT on
 * loopback. Empty variables (a copied .env) count as unset.
 */
export function adminApiUrl(env: NodeJS.ProcessEnv, override?: string): string {
  return override || env.GLISK_API_URL || `http://127.0.0.1:${env.PORT || 42070}`;
}

/** ADMIN_API_TOKEN, else the one `npm run dev` generated, so a dev stack works without setup. */
export function adminApiToken(env: NodeJS.ProcessEnv): string | undefined {
  if (env.ADMIN_API_TOKEN) return env.ADMIN_API_TOKEN;
  const file = devPaths(env).adminToken;
  return existsSync(file) ? readFileSync(file, "utf8").trim() || undefined : undefined;
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export type ApiClient = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** A client for `baseUrl` authenticating with `token`. */
export function apiClient(baseUrl: string, token: string | undefined): ApiClient {
  if (!token) {
    throw new CliError(
      "ADMIN_API_TOKEN is not set (and no .data/admin-token from npm run dev): export the pipeline's admin token",
      2,
    );
  }
  const base = baseUrl.replace(/\/+$/, "");
  return async <T>(method: string, path: string, body?: unknown) => {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new CliError(
        `cannot reach the admin API at ${base} (${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message}); ` +
          "is the pipeline running? Set GLISK_API_URL to its address.",
      );
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      const hint = response.status === 401 ? " (check ADMIN_API_TOKEN)" : "";
      throw new CliError(
        `${error?.message ?? response.statusText} [${error?.code ?? "http_error"}, HTTP ${response.status}]${hint}`,
      );
    }
    return parsed as T;
  };
}
