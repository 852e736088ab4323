/**
 * The pipeline process (`npm run pipeline`): parses the config, opens the database, Redis and the
 * chain, rebuilds the queues from the database, then starts every worker (workers.ts) and the
 * operations HTTP server. SIGINT/SIGTERM stop it cleanly: the
 * HTTP server first, then recovery and the workers, which wait for their active jobs, then the
 * connections. A second signal exits at once.
 */
import { EXIT_CONFIG } from "../common/exit-codes";
import { type Config, parseConfig } from "./config";
import { type Context, createContext } from "./context";
import { recoverStages } from "./recovery/recover-stages";
import { startServer } from "./server";
import { startWorkers } from "./workers";

type Stoppable = { close: () => Promise<void> };

/** Everything the process runs, in start order; stopped in reverse order. */
async function startParts(ctx: Context): Promise<Stoppable[]> {
  const parts: Stoppable[] = [];
  if (ctx.config.WORKERS_ENABLED) {
    if (ctx.config.RECOVER_ON_START) await recoverStages(ctx);
    parts.push(await startWorkers(ctx));
  }
  parts.push(await startServer(ctx));
  return parts;
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    console.error((error as Error).message);
    // A supervisor does not restart a process whose configuration is wrong.
    process.exit(EXIT_CONFIG);
  }
  const ctx = await createContext(config).catch((error) => {
    console.error(`pipeline failed to start: ${(error as Error).message}`);
    process.exit(1);
  });
  const parts = await startParts(ctx).catch(async (error) => {
    ctx.logger.fatal({ err: (error as Error).message }, "pipeline failed to start");
    await ctx.close().catch(() => {});
    process.exit(1);
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      ctx.logger.warn({ signal }, "second signal: exiting without waiting for active jobs");
      process.exit(1);
    }
    stopping = true;
    ctx.logger.info({ signal }, "shutting down: waiting for active jobs");
    for (const part of [...parts].reverse()) {
      await part.close().catch((error) => ctx.logger.error({ err: (error as Error).message }, "error while stopping"));
    }
    await ctx.close();
    ctx.logger.info("pipeline stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

await main();
