/**
 * The transport Ponder reads the chain through. Ponder gives every request 10 s and treats a timeout
 * like a 429: each one cuts its request-rate allowance by 5 %, and the allowance only grows back
 * while it is saturated — which live polling never does. After an RPC outage (the RPC black-holed
 * for 15 s, say) the allowance had sunk from 20 to under 6 requests a second, the 200 ms polling ate
 * all of it, and the indexer stayed minutes behind the head while every health check said "ok".
 *
 * This transport gives up on a request after RPC_TIMEOUT_MS and reports the timeout as a failed
 * HTTP request instead: Ponder still retries it with backoff, but does not throttle itself for an
 * outage that was not its doing, so it is back at the head as soon as the RPC answers.
 */
import { HttpRequestError, http, TimeoutError, type Transport } from "viem";

export function resilientTransport(url: string, timeoutMs: number): Transport {
  return (parameters) => {
    // Ponder passes its own timeout (10 s); this one wins.
    const transport = http(url, { timeout: timeoutMs })({ ...parameters, timeout: timeoutMs });
    return {
      ...transport,
      request: (async (args: Parameters<typeof transport.request>[0]) => {
        try {
          return await transport.request(args);
        } catch (error) {
          if (!(error instanceof TimeoutError)) throw error;
          // The origin only: the URL's path and query may hold the RPC key.
          throw new HttpRequestError({
            url: new URL(url).origin,
            details: `timed out after ${timeoutMs} ms`,
            cause: error,
          });
        }
      }) as typeof transport.request,
    };
  };
}
