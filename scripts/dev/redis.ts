/**
 * Redis for `npm run dev`: REDIS_URL when it answers, else its own redis-server as a child. An
 * external REDIS_URL is checked by a step child (scripts/dev/external-redis.ts): the supervisor
 * never loads a Redis client.
 */
import { mkdirSync } from "node:fs";
import { freePort, hasCommand, redisServerArgs, waitForPort } from "../lib/processes";
import { type Child, startChild } from "./children";
import { runStep } from "./run-step";

/** The URL without credentials, for messages. */
const shown = (url: string) => {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    return u.toString();
  } catch {
    return "(unparsable URL)";
  }
};

/** REDIS_URL when it answers, else a redis-server child (noeviction, append-only file in `dir`). */
export async function devRedis({
  env,
  dir,
  children,
  onStart,
}: {
  env: NodeJS.ProcessEnv;
  dir: string;
  children: Child[];
  /** Called as soon as the child is spawned (dev records it in its session). */
  onStart?: (child: Child) => void;
}): Promise<string> {
  if (env.REDIS_URL) {
    if (await runStep("redis-reachable", { url: env.REDIS_URL })) return env.REDIS_URL;
    throw new Error(
      `REDIS_URL=${shown(env.REDIS_URL)} does not answer. Start that Redis, or unset REDIS_URL to let npm run dev start redis-server itself.`,
    );
  }
  if (!hasCommand("redis-server")) {
    throw new Error(
      "redis-server is not installed and REDIS_URL is not set. Install Redis 7 (Debian/Ubuntu: " +
        "`sudo apt-get install -y redis-server`, macOS: `brew install redis`) or set REDIS_URL to a running server.",
    );
  }
  mkdirSync(dir, { recursive: true });
  const port = Number(env.REDIS_PORT || (await freePort()));
  // The append-only file in `dir` keeps queued jobs across a resumed run.
  const child = startChild({
    name: "redis",
    command: "redis-server",
    args: redisServerArgs(port, dir),
    keep: (l) => /WARNING|# |Ready to accept/.test(l),
    // redis-server rewrites its command line to "redis-server <host>:<port>".
    identity: ["redis-server", `127.0.0.1:${port}`],
  });
  children.push(child);
  onStart?.(child);
  await Promise.race([
    waitForPort(port, { timeoutMs: 20_000 }),
    new Promise((_, reject) =>
      child.process.once("exit", (code) => reject(new Error(`redis-server exited with code ${code}`))),
    ),
  ]);
  return `redis://127.0.0.1:${port}`;
}
