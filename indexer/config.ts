/**
 * The indexer's configuration, parsed once when Ponder loads the project. Nothing else in the
 * indexer reads `process.env`; `ponder.config.ts`, the handlers and the API import from here.
 */
import { type IndexerConfig, parseIndexerConfig } from "./parse-config";

export type { IndexerConfig };
export const config: IndexerConfig = parseIndexerConfig(process.env);
