/** A token bucket, as rate-limited APIs meter requests: refilled evenly, holding at most `burst`. */

export type TokenBucket = {
  /** Takes one token: undefined when one was there, else the whole seconds until one will be. */
  take(p: { perMinute: number; burst?: number }): number | undefined;
  reset(): void;
};

/** An empty-history bucket: full at the first take. `perMinute` 0 never limits. */
export function createTokenBucket(now: () => number = Date.now): TokenBucket {
  let tokens = Number.NaN;
  let at = 0;
  return {
    take({ perMinute, burst }) {
      const perSecond = perMinute / 60;
      if (perSecond <= 0) return undefined;
      const capacity = burst ?? Math.max(1, perSecond);
      const t = now();
      tokens = Number.isNaN(tokens) ? capacity : Math.min(capacity, tokens + ((t - at) / 1000) * perSecond);
      at = t;
      if (tokens >= 1) {
        tokens -= 1;
        return undefined;
      }
      return Math.max(1, Math.ceil((1 - tokens) / perSecond));
    },
    reset() {
      tokens = Number.NaN;
      at = 0;
    },
  };
}
