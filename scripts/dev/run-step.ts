/**
 * Runs a start-up step of `npm run dev` (scripts/dev/steps.ts) in a short-lived child process. The
 * supervisor stays up as long as the stack, and loading viem, zod, ioredis or BullMQ for a few
 * seconds of start-up would keep it near 100 MB RSS for good; the child takes them with it when it
 * exits. It is the `dev-steps` bundle when dev runs compiled, else its source through tsx.
 */
import { spawn } from "node:child_process";
import { forwardLines } from "../lib/forward-lines";
import { entryArgs } from "../lib/launch";
import { say } from "./children";
import type { StepInput, StepName, StepResult } from "./steps";

type Message = { say?: string; result?: unknown; error?: string };

function parse(line: string): Message | undefined {
  try {
    const message = JSON.parse(line) as unknown;
    return message && typeof message === "object" ? (message as Message) : undefined;
  } catch {
    return undefined;
  }
}

/** Runs step `name` on `input`, printing its messages as the supervisor's; rejects with the step's own error. */
export function runStep<N extends StepName>(name: N, input: StepInput<N>): Promise<StepResult<N>> {
  const child = spawn(process.execPath, [...entryArgs("dev-steps"), name], {
    // Its own process group, like every child of dev: the terminal's Ctrl-C reaches only the
    // supervisor, which then stops the stack in order (and this child when it exits).
    detached: true,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  process.once("exit", kill);
  let outcome: Message | undefined;
  forwardLines(child.stdout, {
    line: (text) => {
      const message = parse(text);
      if (message?.say !== undefined) say(message.say);
      else if (message && ("result" in message || "error" in message)) outcome = message;
      else return text; // not the step's own (a library printing): shown as it is
      return undefined;
    },
    write: (text) => process.stdout.write(text),
  });
  child.stdin?.on("error", () => {}); // a step that died early: its exit says what happened
  child.stdin?.end(JSON.stringify(input));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    // "close", not "exit": every line of its output has been read by then.
    child.once("close", (code, signal) => {
      process.removeListener("exit", kill);
      if (outcome && "error" in outcome) reject(new Error(outcome.error));
      else if (outcome && code === 0) resolve(outcome.result as StepResult<N>);
      else reject(new Error(`dev step ${name} ended without a result (${signal ?? `code ${code}`})`));
    });
  });
}
