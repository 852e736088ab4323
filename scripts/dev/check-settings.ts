/**
 * The indexer's and the pipeline's settings, checked by dev with their own parsers before anything
 * starts: a bad value then stops dev with one list of what to fix, instead of a child dying with a
 * stack trace (Ponder prints it twice and then waits for a file change, so dev would hang).
 */
import { parseIndexerConfig } from "../../indexer/parse-config";
import { parseConfig } from "../../pipeline/config";

/** Throws one Error naming every invalid setting of either process, each once. */
export function checkSettings(env: NodeJS.ProcessEnv): void {
  const problems = new Set<string>();
  for (const parse of [parseIndexerConfig, parseConfig]) {
    try {
      parse(env);
    } catch (error) {
      for (const line of (error as Error).message.split("\n").slice(1)) problems.add(line.replace(/^- /, ""));
    }
  }
  if (problems.size > 0) {
    throw new Error(`invalid settings (from the environment or .env):\n  - ${[...problems].join("\n  - ")}`);
  }
}
