/** Prompt rules shared by the generate stage and the author API. The prompt text never leaves the database. */
import { createHash } from "node:crypto";

const MAX_PROMPT_LENGTH = 1000;
// C0 and C1 controls and DEL (tab and newline too): a prompt is one line of text for the image model.
const isControl = (c: string) => {
  const n = c.codePointAt(0) ?? 0;
  return n < 0x20 || (n >= 0x7f && n <= 0x9f);
};

export type PromptCheck = { ok: true; prompt: string } | { ok: false; reason: string };

/** Trims and validates a prompt: non-empty, at most 1000 characters, no control characters. */
export function validatePrompt(raw: string): PromptCheck {
  const prompt = raw.trim();
  if (prompt.length === 0) return { ok: false, reason: "prompt is empty" };
  if (prompt.length > MAX_PROMPT_LENGTH) {
    return { ok: false, reason: `prompt is ${prompt.length} characters, over ${MAX_PROMPT_LENGTH}` };
  }
  if ([...prompt].some(isControl)) return { ok: false, reason: "prompt contains control characters" };
  return { ok: true, prompt };
}

/** sha256 of the prompt, hex: stored instead of the prompt to prove which prompt made an image. */
export const promptHash = (prompt: string): string => createHash("sha256").update(prompt, "utf8").digest("hex");
