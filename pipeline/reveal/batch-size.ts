/**
 * How many tokens one reveal transaction carries: as many as fit REVEAL_GAS_BUDGET, its gas limit
 * being the estimate × REVEAL_GAS_BUFFER. Gas grows linearly with the tokens (about 92.3k each for a
 * 53-byte CIDv0 URI, plus about 28k per transaction), so a full transaction costs less per token
 * than any smaller one.
 */
import { PermanentError } from "../errors";
import { bump } from "./fees";

/**
 * Gas per token a round sizes its first selection with, before an estimate says better: a little
 * under what the shortest URI this pipeline writes costs, so the first selection errs large and
 * `fitGasBudget` trims it rather than sending a transaction smaller than the budget allows.
 */
export const FIRST_GAS_PER_TOKEN = 90_000;

/** Tokens to select for one transaction, given the gas per token seen so far. */
export function tokensPerTransaction(p: { budget: number; buffer: number; gasPerToken: number }): number {
  return Math.max(1, Math.floor(p.budget / p.buffer / p.gasPerToken));
}

/** The gas limit for an estimate: estimate × buffer, rounded up. */
export const gasLimit = (estimate: bigint, buffer: number) => bump(estimate, BigInt(Math.round(buffer * 1000)));

export type FitParameters<T> = {
  items: readonly T[];
  /** `estimateGas` of revealTokens for these items (throws when it would revert). */
  estimate: (items: readonly T[]) => Promise<bigint>;
  budget: number;
  buffer: number;
};

export type FitResult<T> = { items: T[]; estimate: bigint; gas: bigint };

/**
 * A prefix of `items` whose gas limit fits the budget, with its estimate and limit; the items left
 * out stay ready for the next transaction. It shrinks in proportion to the overshoot (within a token
 * of the longest prefix that fits), so a selection sized from a good per-token figure costs one
 * estimate, a rough one two or three.
 */
export async function fitGasBudget<T>(p: FitParameters<T>): Promise<FitResult<T>> {
  let items = [...p.items];
  for (;;) {
    const estimate = await p.estimate(items);
    const gas = gasLimit(estimate, p.buffer);
    if (gas <= BigInt(p.budget)) return { items, estimate, gas };
    if (items.length === 1) {
      throw new PermanentError(
        `REVEAL_GAS_BUDGET ${p.budget} is below the gas limit of revealing one token (${gas}): raise it`,
      );
    }
    const scaled = Math.floor((items.length * p.budget) / Number(gas));
    items = items.slice(0, Math.max(1, Math.min(items.length - 1, scaled)));
  }
}
