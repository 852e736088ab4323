/**
 * The indexer's configuration, parsed once when Ponder loads the project. Nothing else in the
 * indexer reads `process.env`; `ponder.config.ts`, the handlers and the API import from here.
 *
 * A bad environment stops the process with the list of problems, once: thrown instead, the error
 * would reach Ponder, which prints it with a stack trace twice and then, in `ponder dev`, waits for a
 * file change that cannot fix an environment variable.
 */
import { type IndexerConfig, parseIndexerConfig } from "./parse-config";

export type { IndexerConfig };

function load(): IndexerConfig {
  try {
    return parseIndexerConfig(process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}

export const config: IndexerConfig = load();
