import { parseGwei } from "viem";
import { describe, expect, test } from "vitest";
import { feeCap, replacementFees } from "./fees";

const gwei = (v: string) => parseGwei(v);

describe("replacementFees", () => {
  test("bumps both fees by the configured percent when the chain quote is lower", () => {
    const fees = replacementFees({
      previous: { maxFeePerGas: gwei("2"), maxPriorityFeePerGas: gwei("1") },
      current: { maxFeePerGas: gwei("1"), maxPriorityFeePerGas: gwei("0.5") },
      bumpPercent: 20,
      cap: gwei("10"),
    });
    expect(fees).toEqual({ maxFeePerGas: gwei("2.4"), maxPriorityFeePerGas: gwei("1.2") });
  });

  test("follows the chain quote when it rose more than the bump", () => {
    const fees = replacementFees({
      previous: { maxFeePerGas: gwei("2"), maxPriorityFeePerGas: gwei("1") },
      current: { maxFeePerGas: gwei("5"), maxPriorityFeePerGas: gwei("1") },
      bumpPercent: 12.5,
      cap: gwei("10"),
    });
    expect(fees).toEqual({ maxFeePerGas: gwei("5"), maxPriorityFeePerGas: gwei("1.125") });
  });

  test("caps the max fee, and gives up when the cap leaves less than a 12.5 % bump", () => {
    const capped = replacementFees({
      previous: { maxFeePerGas: gwei("2"), maxPriorityFeePerGas: gwei("1") },
      current: { maxFeePerGas: gwei("9"), maxPriorityFeePerGas: gwei("1") },
      bumpPercent: 20,
      cap: gwei("3"),
    });
    expect(capped).toEqual({ maxFeePerGas: gwei("3"), maxPriorityFeePerGas: gwei("1.2") });
    const none = replacementFees({
      previous: { maxFeePerGas: gwei("2.9"), maxPriorityFeePerGas: gwei("1") },
      current: { maxFeePerGas: gwei("2"), maxPriorityFeePerGas: gwei("1") },
      bumpPercent: 20,
      cap: gwei("3"),
    });
    expect(none).toBeUndefined();
  });

  test("reads fractional gwei caps", () => {
    expect(feeCap(0.05)).toBe(50_000_000n);
    expect(feeCap(5)).toBe(5_000_000_000n);
  });
});
