/** Structured JSON logs (pino). Secrets are redacted wherever they appear as fields. */
import { pino } from "pino";
import { scrubber } from "./scrubber";
import { secretKeys } from "./secrets";

const secretFields = [...secretKeys, "privateKey", "authorization", "token", "jwt", "apiKey"];
const redact = [...secretFields, ...secretFields.map((f) => `*.${f}`), "req.headers.authorization"];

export type Logger = pino.Logger;

/**
 * Creates the process logger; child loggers add `tokenId` and `jobId` to every line. `secrets` are
 * removed from every written line, wherever they appear (messages and error texts included).
 */
export function createLogger({
  level,
  name = "pipeline",
  secrets = [],
  destination = pino.destination(1),
}: {
  level: string;
  name?: string;
  secrets?: readonly string[];
  destination?: pino.DestinationStream;
}): Logger {
  return pino(
    { name, level, redact: { paths: redact, censor: "[redacted]" }, hooks: { streamWrite: scrubber(secrets) } },
    destination,
  );
}
