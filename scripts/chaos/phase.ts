/**
 * One phase of the chaos run: a wave of mints, its fault, the drain, and the phase's figures — from
 * the chain (revealed, TokensRevealed logs, the keeper's receipts), the fake provider (paid
 * predictions) and the supervisors' output (restarts, log volume). Never from the pipeline's own
 * bookkeeping.
 */
import { FLUX_NSFW_ERROR } from "../../fakes/replicate";
import type { ChainReader } from "./chain";
import type { Fault } from "./faults";
import type { ChaosStack } from "./stack";
import { type MintOrder, mintOrders, type WavePlan } from "./wave";

export type PhaseFigures = {
  fault: string;
  minted: number;
  revealed: number;
  lost: number;
  /** Ids named by more than one TokensRevealed log. */
  double: number;
  /** The keeper's transactions mined during the phase, and the reverted ones. */
  keeperTxs: number;
  reverted: number;
  /** Predictions the fake provider created during the phase (each one is paid), and NSFW refusals among them. */
  paid: number;
  nsfw: number;
  /** Seconds from the fault healing (or the last mint, if later) until every token was revealed; undefined if never. */
  drainSeconds: number | undefined;
  /** Supervisor restart messages beyond the kills the fault dealt. */
  unplanned: number;
  /** Dependencies a process's log still reported unreachable once the phase drained ("redis in pipeline"). */
  reportedDown: string[];
  /** Error-level lines of every process, and the most lines any second saw. */
  errorLines: number;
  peakLinesPerSecond: number;
  /** Why the fault could not be injected as described, when it could not. */
  note?: string;
};

export type PhaseParameters = {
  stack: ChaosStack;
  chain: ChainReader;
  fault: Fault;
  plan: (extra: MintOrder[]) => WavePlan;
  drainTimeoutMs: number;
  say: (line: string) => void;
};

/** Polls until every id is revealed on-chain; resolves with when, or undefined at the deadline. */
async function drained(chain: ChainReader, ids: readonly bigint[], deadline: number): Promise<number | undefined> {
  while (Date.now() < deadline) {
    const revealed = await chain.revealed(ids).catch(() => []);
    if (revealed.length === ids.length) return Date.now();
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

/** Log figures of every role between `from` and `to` (ms). */
function logFigures(stack: ChaosStack, from: number, to: number) {
  const perSecond = new Map<number, number>();
  let errorLines = 0;
  let restarts = 0;
  for (const role of stack.roles) {
    for (const [second, counts] of role.linesPerSecond) {
      if (second * 1000 < from || second * 1000 > to) continue;
      perSecond.set(second, (perSecond.get(second) ?? 0) + counts.all);
      errorLines += counts.errors;
    }
    restarts += role.events.filter((e) => e.at >= from && e.at <= to).length;
  }
  return { errorLines, restarts, peakLinesPerSecond: Math.max(0, ...perSecond.values()) };
}

/** The fake provider's predictions created in [from, to]. */
function predictionFigures(stack: ChaosStack, from: number, to: number) {
  let paid = 0;
  let nsfw = 0;
  for (const p of stack.replicate.predictions.values()) {
    const at = Date.parse(p.created_at);
    if (at < from || at > to) continue;
    paid += 1;
    if (p.error === FLUX_NSFW_ERROR) nsfw += 1;
  }
  return { paid, nsfw };
}

/** Runs one phase and returns its figures. */
export async function runPhase(p: PhaseParameters): Promise<PhaseFigures> {
  const { stack, chain, fault } = p;
  const since = Date.now();
  const fromBlock = (await chain.head()) + 1n;
  const plan = p.plan(fault.extra ?? []);
  await fault.before?.(stack);
  const rpcUrl = stack.anvil.url;
  const first = await mintOrders({ rpcUrl, contract: stack.contract, orders: plan.first });
  let rest: Awaited<ReturnType<typeof mintOrders>> | undefined;
  const mintRest = async () => {
    rest ??= await mintOrders({ rpcUrl, contract: stack.contract, orders: plan.second });
  };
  let note: string | undefined;
  let healed: number;
  try {
    healed = await fault.inject({ stack, chain, since, first, mintRest });
  } catch (error) {
    note = `fault not injected as described: ${(error as Error).message}`;
    healed = Date.now();
  }
  await mintRest();
  const minted = [...first.ids, ...(rest?.ids ?? [])];
  const start = Math.max(healed, rest?.lastMinedAt ?? 0);
  p.say(`${fault.name}: ${minted.length} tokens minted, fault healed; draining`);
  const done = await drained(chain, minted, start + p.drainTimeoutMs);
  await fault.after?.(stack);
  const end = Date.now();
  const revealed = await chain.revealed(minted);
  const counts = await chain.revealLogCounts(fromBlock);
  const keeper = await chain.keeperTransactions(fromBlock, await chain.head());
  const logs = logFigures(stack, since, end);
  // A kill the supervisors never saw did not happen: the phase proved nothing.
  if (logs.restarts < fault.planned)
    note ??= `${fault.planned} kill(s) planned, ${logs.restarts} seen by the supervisors`;
  return {
    fault: fault.label,
    minted: minted.length,
    revealed: revealed.length,
    lost: minted.length - revealed.length,
    double: minted.filter((id) => (counts.get(id) ?? 0) > 1).length,
    keeperTxs: keeper.sent,
    reverted: keeper.reverted,
    ...predictionFigures(stack, since, end),
    drainSeconds: done === undefined ? undefined : (done - start) / 1000,
    unplanned: Math.max(0, logs.restarts - fault.planned),
    reportedDown: stack.roles
      .filter((r) => r.supervisor.exitCode === null)
      .flatMap((r) => r.downNow().map((d) => `${d} in ${r.name}`)),
    errorLines: logs.errorLines,
    peakLinesPerSecond: logs.peakLinesPerSecond,
    note,
  };
}
