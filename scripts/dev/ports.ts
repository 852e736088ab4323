/** The ports `npm run dev` binds, checked before anything starts. */
import { createServer } from "node:net";
import type { DevMode } from "./mode";

/** True when something already listens on `port` (any interface, as Ponder and the pipeline bind). */
function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer()
      .once("error", () => resolve(true))
      .once("listening", () => probe.close(() => resolve(false)))
      .listen(port);
  });
}

export type PortCheck = {
  mode: DevMode;
  env: NodeJS.ProcessEnv;
  /** Each port by the variable that sets it. */
  ports: { ANVIL_PORT: number; INDEXER_PORT: number; PORT: number };
};

/**
 * Refuses ports already taken before anything starts. Ponder would otherwise move to the next port,
 * which is the pipeline's by default, and die there with a stack trace instead of a hint.
 */
export async function checkPorts({ mode, env, ports }: PortCheck) {
  const wanted = Object.entries(ports).filter(([name]) => mode.kind !== "existing" || name !== "ANVIL_PORT");
  const invalid = wanted.filter(([, port]) => !Number.isInteger(port) || port < 1 || port > 65535);
  if (invalid.length > 0)
    throw new Error(
      `${invalid.map(([name]) => `${name}=${env[name]}`).join(", ")}: a port is an integer from 1 to 65535`,
    );
  if (new Set(wanted.map(([, port]) => port)).size < wanted.length)
    throw new Error(`${wanted.map(([n]) => n).join(", ")} must differ (${wanted.map(([, p]) => p).join(", ")})`);
  const taken: string[] = [];
  for (const [name, port] of wanted) if (await portInUse(port)) taken.push(`${port} (${name})`);
  if (taken.length > 0)
    throw new Error(
      `port ${taken.join(", ")} already in use: stop what listens there or set the variable to a free port`,
    );
}
