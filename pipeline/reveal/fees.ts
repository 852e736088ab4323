/**
 * EIP-1559 fees for reveal transactions: quoted from the chain, never above REVEAL_MAX_FEE_GWEI,
 * and bumped for a same-nonce replacement by at least the minimum nodes accept (12.5 %).
 */
import { type PublicClient, parseGwei } from "viem";

export type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

/** The cap in wei from a gwei figure (env values like 0.05 or 1e-3). */
export function feeCap(maxFeeGwei: number): bigint {
  return parseGwei(maxFeeGwei.toFixed(9));
}

export type QuoteResult = { ok: true; fees: Fees } | { ok: false; fees: Fees; cap: bigint };

/** The chain's current EIP-1559 quote; not ok when its max fee exceeds the cap (the caller waits). */
export async function quoteFees(chain: PublicClient, cap: bigint): Promise<QuoteResult> {
  const quote = await chain.estimateFeesPerGas();
  const fees = { maxFeePerGas: quote.maxFeePerGas, maxPriorityFeePerGas: quote.maxPriorityFeePerGas };
  if (fees.maxPriorityFeePerGas > fees.maxFeePerGas) fees.maxPriorityFeePerGas = fees.maxFeePerGas;
  return fees.maxFeePerGas > cap ? { ok: false, fees, cap } : { ok: true, fees };
}

/** Nodes refuse a replacement that raises either fee by less than this (geth: 10 %, many others 12.5 %). */
const MIN_BUMP_PER_MILLE = 1125n;

/** `value` scaled by `perMille` / 1000, rounded up (a fee or gas figure must never come out short). */
export const bump = (value: bigint, perMille: bigint) => (value * perMille + 999n) / 1000n;

export type ReplacementParameters = { previous: Fees; current: Fees; bumpPercent: number; cap: bigint };

/**
 * Fees for replacing a stuck transaction: the higher of the previous fees bumped by `bumpPercent`
 * and the chain's current quote, capped. Undefined when the cap leaves no room for a valid bump
 * (the caller keeps waiting on what it sent).
 */
export function replacementFees(p: ReplacementParameters): Fees | undefined {
  const perMille = BigInt(Math.ceil(p.bumpPercent * 10)) + 1000n;
  const max = (a: bigint, b: bigint) => (a > b ? a : b);
  let maxFeePerGas = max(bump(p.previous.maxFeePerGas, perMille), p.current.maxFeePerGas);
  let maxPriorityFeePerGas = max(bump(p.previous.maxPriorityFeePerGas, perMille), p.current.maxPriorityFeePerGas);
  if (maxFeePerGas > p.cap) maxFeePerGas = p.cap;
  if (maxPriorityFeePerGas > maxFeePerGas) maxPriorityFeePerGas = maxFeePerGas;
  const enough =
    maxFeePerGas >= bump(p.previous.maxFeePerGas, MIN_BUMP_PER_MILLE) &&
    maxPriorityFeePerGas >= bump(p.previous.maxPriorityFeePerGas, MIN_BUMP_PER_MILLE);
  return enough ? { maxFeePerGas, maxPriorityFeePerGas } : undefined;
}
