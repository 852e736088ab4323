/** A small client for the pipeline's admin API, with errors a person can act on. */

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
