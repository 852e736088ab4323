/**
 * `npm run chaos [-- --short] [--only fault,fault] [--keep-logs]`: the project's own chaos run on the
 * production shape (scripts/chaos/stack.ts). One fault per phase (scripts/chaos/faults.ts), each with
 * a wave of mints; then a figure table from the chain and the fake provider, and the guarantees:
 * exit code 1 when a phase lost a token, revealed one twice, reverted a keeper transaction, paid
 * twice for a token, saw a process exit nobody planned, or drained slower than 30 s.
 *
 * Everything runs on loopback and is bounded in count and time; every process it started is stopped
 * at the end, on failure and on Ctrl-C too. Logs of every role are in a temporary directory, kept
 * when a guarantee fails (or with --keep-logs).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { chainReader } from "./chaos/chain";
import { FAULTS, type Fault, SHORT_FAULTS } from "./chaos/faults";
import { type PhaseFigures, runPhase } from "./chaos/phase";
import { broken, table } from "./chaos/report";
import { type ChaosStack, KEEPER, startStack } from "./chaos/stack";
import { AUTHORS, NSFW_MARK, wavePlan } from "./chaos/wave";

const say = (line: string) => console.log(`[chaos] ${line}`);

/** How long a phase may take to reveal its wave once the fault healed before its tokens count as lost. */
const DRAIN_TIMEOUT_MS = { full: 120_000, short: 90_000 };
/** How long a prediction runs on the fake provider (a flux-schnell generation takes a few seconds). */
const PREDICT_MS = 3_000;

function options() {
  const { values } = parseArgs({
    options: {
      short: { type: "boolean", default: false },
      only: { type: "string" },
      "keep-logs": { type: "boolean", default: false },
    },
  });
  const names = values.only ? values.only.split(",") : values.short ? SHORT_FAULTS : FAULTS.map((f) => f.name);
  const unknown = names.filter((n) => !FAULTS.some((f) => f.name === n));
  if (unknown.length > 0) {
    console.error(`chaos: unknown fault ${unknown.join(", ")}; known: ${FAULTS.map((f) => f.name).join(", ")}`);
    process.exit(2);
  }
  const faults = names.map((n) => FAULTS.find((f) => f.name === n) as Fault);
  return { faults, size: values.short ? ("short" as const) : ("full" as const), keepLogs: values["keep-logs"] };
}

async function prepare(stack: ChaosStack): Promise<void> {
  for (const author of Object.values(AUTHORS)) if (author.prompt) await stack.setPrompt(author.address, author.prompt);
  stack.replicate.behaviour.nsfw = (prompt) => prompt.includes(NSFW_MARK);
  stack.replicate.behaviour.predictMs = PREDICT_MS;
}

async function runPhases(stack: ChaosStack, o: ReturnType<typeof options>): Promise<PhaseFigures[]> {
  const chain = chainReader({ rpcUrl: stack.anvil.url, contract: stack.contract, keeper: KEEPER });
  const results: PhaseFigures[] = [];
  for (const fault of o.faults) {
    say(`phase ${results.length + 1}/${o.faults.length}: ${fault.label}`);
    const figures = await runPhase({
      stack,
      chain,
      fault,
      plan: (extra) => wavePlan(o.size, extra),
      drainTimeoutMs: DRAIN_TIMEOUT_MS[o.size],
      say,
    });
    const drain = figures.drainSeconds === undefined ? "never" : `${figures.drainSeconds.toFixed(1)} s`;
    say(`${fault.name}: ${figures.revealed}/${figures.minted} revealed, drain ${drain}`);
    results.push(figures);
  }
  return results;
}

/** Every prediction the fake provider created, for the logs directory. */
function predictionsJson(stack: ChaosStack): string {
  const rows = [...stack.replicate.predictions.values()].map((p) => ({
    id: p.id,
    createdAt: p.created_at,
    status: p.status,
    prompt: p.input.prompt,
    error: p.error,
  }));
  return `${JSON.stringify(rows, null, 1)}\n`;
}

async function main(): Promise<number> {
  const o = options();
  const started = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), "glisk-chaos-"));
  let stack: ChaosStack | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= stack?.stop() ?? Promise.resolve();
    return stopping;
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      say(`${signal}: stopping every process`);
      void stop().finally(() => process.exit(130));
    });
  }
  let results: PhaseFigures[] = [];
  let failure: Error | undefined;
  try {
    say(`starting the stack (logs in ${dir})`);
    stack = await startStack({ dir });
    await prepare(stack);
    say(`stack up in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    results = await runPhases(stack, o);
  } catch (error) {
    failure = error as Error;
  } finally {
    if (stack) writeFileSync(path.join(dir, "predictions.json"), predictionsJson(stack));
    await stop();
  }
  console.log(`\n${table(results)}\n`);
  const problems = results.flatMap((f) => broken(f).map((p) => `${f.fault}: ${p}`));
  if (failure) problems.push(`the run stopped early: ${failure.stack ?? failure.message}`);
  say(`wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (problems.length > 0) {
    say(`guarantees broken:\n- ${problems.join("\n- ")}`);
    for (const role of stack?.roles ?? []) console.log(`\n--- last lines of ${role.name} ---\n${role.tail()}`);
    say(`logs kept in ${dir}`);
    return 1;
  }
  say("every guarantee held");
  if (o.keepLogs) say(`logs kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
  return 0;
}

process.exit(await main());
