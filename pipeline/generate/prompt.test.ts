import { describe, expect, test } from "vitest";
import { promptHash, validatePrompt } from "./prompt";

describe("prompt validation", () => {
  test("accepts a normal prompt and trims it", () => {
    expect(validatePrompt("  a red fox  ")).toEqual({ ok: true, prompt: "a red fox" });
  });

  test("refuses empty, too long and control characters", () => {
    expect(validatePrompt("   ").ok).toBe(false);
    expect(validatePrompt("x".repeat(1001)).ok).toBe(false);
    expect(validatePrompt("x".repeat(1000)).ok).toBe(true);
    expect(validatePrompt("line\nbreak").ok).toBe(false);
    expect(validatePrompt("bell\u0007").ok).toBe(false);
    expect(validatePrompt("c1\u0085").ok).toBe(false);
  });

  test("hashes are sha256 hex", () => {
    expect(promptHash("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
