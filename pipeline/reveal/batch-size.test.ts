import { describe, expect, test } from "vitest";
import { PermanentError } from "../errors";
import { fitGasBudget, tokensPerTransaction } from "./batch-size";

/** revealTokens on GliskNFT with 53-byte CIDv0 URIs, as measured on anvil: ~28.5k + 92.3k per token. */
const revealGas = async (items: readonly unknown[]) => 28_500n + 92_300n * BigInt(items.length);
const ids = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));

describe("tokensPerTransaction", () => {
  test("fills the budget under the buffer", () => {
    expect(tokensPerTransaction({ budget: 16_000_000, buffer: 1.2, gasPerToken: 92_500 })).toBe(144);
    expect(tokensPerTransaction({ budget: 16_777_216, buffer: 1, gasPerToken: 92_500 })).toBe(181);
    expect(tokensPerTransaction({ budget: 500_000, buffer: 5, gasPerToken: 120_000 })).toBe(1);
  });
});

describe("fitGasBudget", () => {
  test("keeps a selection that fits, with one estimate", async () => {
    let calls = 0;
    const fit = await fitGasBudget({
      items: ids(144),
      estimate: (items) => {
        calls += 1;
        return revealGas(items);
      },
      budget: 16_000_000,
      buffer: 1.2,
    });
    expect(fit.items).toHaveLength(144);
    expect(fit.gas).toBeLessThanOrEqual(16_000_000n);
    expect(calls).toBe(1);
  });

  test("trims an oversized selection to a prefix under the budget; the rest waits", async () => {
    const fit = await fitGasBudget({ items: ids(300), estimate: revealGas, budget: 16_000_000, buffer: 1.2 });
    expect(fit.items).toEqual(ids(fit.items.length));
    expect(fit.items.length).toBeGreaterThanOrEqual(143);
    expect(fit.gas).toBeLessThanOrEqual(16_000_000n);
    const oneMore = await revealGas(ids(145));
    expect((oneMore * 1200n) / 1000n).toBeGreaterThan(16_000_000n);
  });

  test("refuses a budget that cannot hold one token, naming the variable", async () => {
    await expect(fitGasBudget({ items: ids(3), estimate: revealGas, budget: 100_000, buffer: 1.2 })).rejects.toThrow(
      PermanentError,
    );
    await expect(fitGasBudget({ items: ids(3), estimate: revealGas, budget: 100_000, buffer: 1.2 })).rejects.toThrow(
      /REVEAL_GAS_BUDGET/,
    );
  });
});
