/** Structured JSON logs (pino). Secrets are redacted wherever they appear as fields. */
import { pino } from "pino";

const secretFields = [
  "ADMIN_API_TOKEN",
  "REPLICATE_API_TOKEN",
  "OPENAI_API_KEY",
  "PINATA_JWT",
  "KEEPER_PRIVATE_KEY",
  "DATABASE_URL",
  "privateKey",
  "authorization",
  "token",
  "jwt",
  "apiKey",
];
const redact = [...secretFields, ...secretFields.map((f) => `*.${f}`), "req.headers.authorization"];

export type Logger = pino.Logger;

/** Creates the process logger; child loggers add `tokenId` and `jobId` to every line. */
export function createLogger(level: string, name = "pipeline"): Logger {
  return pino({ name, level, redact: { paths: redact, censor: "[redacted]" } });
}
