/**
 * The start-up steps of `npm run dev` that need viem, zod, ioredis or BullMQ. Each runs in a
 * short-lived child (scripts/dev-steps.ts, started by scripts/dev/run-step.ts), so the supervisor,
 * which lives as long as the stack, never loads those libraries. Inputs and results are plain JSON;
 * a step's messages go through `say`, which the child relays to the supervisor's output.
 */
import type { DevPaths } from "../../common/local-stack";
import { parseIndexerConfig } from "../../indexer/parse-config";
import { anvilKey } from "../lib/anvil-keys";
import { type StallWatchSettings, stallWatchSettings } from "../lib/indexer-watch";
import { checkSettings } from "./check-settings";
import { type DeploymentParameters, prepareDeployment } from "./deployment";
import { emptyQueues, redisReachable } from "./external-redis";
import { type DevMode, resolveDevMode } from "./mode";
import { type DevPorts, provisionalTarget, serviceEnv } from "./service-env";

type Say = (line: string) => void;

export type PreflightInput = { env: NodeJS.ProcessEnv; paths: DevPaths; ports: DevPorts };

/** The mode, and the services' settings as far as they are known before anything starts, checked. */
async function preflight({ env, paths, ports }: PreflightInput): Promise<DevMode> {
  const mode = await resolveDevMode(env, { anvilPort: ports.anvilPort });
  if (mode.kind === "fork" && env.DATABASE_URL)
    throw new Error(
      "fork mode starts from a fresh fork every run, and DATABASE_URL's schemas would keep the previous fork's " +
        "state: unset DATABASE_URL (dev then keeps embedded PGlite databases under GLISK_DEV_DIR)",
    );
  const keeperKey = mode.kind !== "fork" && env.KEEPER_PRIVATE_KEY ? env.KEEPER_PRIVATE_KEY : anvilKey(1);
  const target = provisionalTarget(mode, ports);
  const provisional = { keeperKey, redisUrl: "redis://127.0.0.1:6379", token: "x".repeat(32) };
  checkSettings(serviceEnv({ env, mode, paths, ports, target, ...provisional }));
  return mode;
}

/** The services' final environment, checked; the indexer stall watch's limits from it (null: no watch). */
function settings({ env }: { env: NodeJS.ProcessEnv }): StallWatchSettings | null {
  checkSettings(env);
  return stallWatchSettings(parseIndexerConfig(env)) ?? null;
}

/** Every step by name: `(input, say) => result`. */
export const steps = {
  preflight,
  deployment: (input: Omit<DeploymentParameters, "say">, say: Say) => prepareDeployment({ ...input, say }),
  settings,
  "redis-reachable": ({ url }: { url: string }) => redisReachable(url),
  "empty-queues": ({ url, prefix }: { url: string; prefix: string }) => emptyQueues(url, prefix),
};

export type StepName = keyof typeof steps;
export type StepInput<N extends StepName> = Parameters<(typeof steps)[N]>[0];
export type StepResult<N extends StepName> = Awaited<ReturnType<(typeof steps)[N]>>;
