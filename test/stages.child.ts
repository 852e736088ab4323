/**
 * A stage worker process for the crash tests: starts the generate and pin workers from the
 * environment and prints "ready". SIGTERM closes them cleanly (active jobs finish first); SIGKILL is
 * the crash under test.
 */
import { parseConfig } from "../pipeline/config";
import { createContext } from "../pipeline/context";
import { startStageWorkers } from "../pipeline/workers";

const ctx = await createContext(parseConfig(process.env));
const workers = startStageWorkers(ctx);
await Promise.all([workers.generate.waitUntilReady(), workers.pin.waitUntilReady()]);
process.on("SIGTERM", async () => {
  await workers.close();
  await ctx.close();
  process.stdout.write("stopped\n");
  process.exit(0);
});
process.stdout.write("ready\n");
