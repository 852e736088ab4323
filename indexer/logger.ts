/** The indexer's own log lines (enqueue failures and anomalies), next to Ponder's. */
import { createLogger } from "../common/logger";
import { secretValues } from "../common/secrets";
import { config } from "./config";

// The RPC URL's key, Redis's password and the database URL never reach a log line, even inside an error text.
export const logger = createLogger({ level: config.LOG_LEVEL, name: "indexer", secrets: secretValues(config) });
