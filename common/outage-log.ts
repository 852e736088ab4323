/**
 * Log lines for a dependency that goes away (Redis, Postgres): one error line when it first fails, a
 * summary every `summaryMs` while it stays away, and one line when it answers again — not one line
 * per failed reconnect, which buried everything else during an outage (60 error lines in 5 s for a
 * Redis restart).
 */
import type { Logger } from "./logger";

export type OutageLog = {
  /** A failure of the dependency (every reconnect attempt may report one). */
  failed(error: unknown): void;
  /** The dependency answered. */
  ok(): void;
  /** Whether the dependency is currently failing. */
  down(): boolean;
};

export type OutageLogParameters = {
  logger: Pick<Logger, "error" | "warn" | "info">;
  dependency: string;
  summaryMs?: number;
};

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 300);

export function outageLog(p: OutageLogParameters): OutageLog {
  const summaryMs = p.summaryMs ?? 30_000;
  let since: number | undefined;
  let failures = 0;
  let total = 0;
  let last = "";
  let timer: NodeJS.Timeout | undefined;
  const seconds = () => Math.round((Date.now() - (since ?? Date.now())) / 1000);
  return {
    failed(error) {
      last = messageOf(error);
      total += 1;
      if (since !== undefined) {
        failures += 1;
        return;
      }
      since = Date.now();
      p.logger.error({ dependency: p.dependency, err: last }, `${p.dependency} unreachable`);
      timer = setInterval(() => {
        p.logger.warn(
          { dependency: p.dependency, downSeconds: seconds(), failures, err: last },
          `${p.dependency} still unreachable`,
        );
        failures = 0;
      }, summaryMs);
      timer.unref();
    },
    ok() {
      if (since === undefined) return;
      clearInterval(timer);
      p.logger.info(
        { dependency: p.dependency, downSeconds: seconds(), failures: total },
        `${p.dependency} reachable again`,
      );
      since = undefined;
      failures = 0;
      total = 0;
    },
    down: () => since !== undefined,
  };
}
