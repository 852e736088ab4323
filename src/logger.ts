/** The indexer's own log lines (enqueue failures and anomalies), next to Ponder's. */
import { createLogger } from "../pipeline/logger";
import { config } from "./config";

export const logger = createLogger(config.LOG_LEVEL, "indexer");
