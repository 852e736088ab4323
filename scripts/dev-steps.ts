/**
 * `dist/dev-steps.js <step>` (from the sources: `node --import tsx scripts/dev-steps.ts <step>`): one
 * start-up step of `npm run dev` (scripts/dev/steps.ts) in a short-lived child of its supervisor, which
 * thus never loads viem, zod, ioredis or BullMQ. Started only by scripts/dev/run-step.ts.
 *
 * Reads the step's input as one JSON document on stdin. Writes JSON lines on stdout: `{"say": line}`
 * per message, then `{"result": …}`, or `{"error": message}` and exit code 1.
 */
import { text } from "node:stream/consumers";
import { type StepName, steps } from "./dev/steps";

type AnyStep = (input: unknown, say: (line: string) => void) => unknown;

// Exits once the line is written: a step's clients (viem's HTTP agent, a Redis socket) may keep
// handles open, and the supervisor waits for this process to end.
const finish = (message: object, code: number) =>
  process.stdout.write(`${JSON.stringify(message)}\n`, () => process.exit(code));

async function main(): Promise<void> {
  const name = process.argv[2] ?? "";
  if (!Object.hasOwn(steps, name)) throw new Error(`unknown dev step "${name}" (${Object.keys(steps).join(", ")})`);
  const input: unknown = JSON.parse(await text(process.stdin));
  const step = steps[name as StepName] as AnyStep;
  const result = await step(input, (line) => process.stdout.write(`${JSON.stringify({ say: line })}\n`));
  finish({ result: result ?? null }, 0);
}

main().catch((error: Error) => finish({ error: error.message }, 1));
