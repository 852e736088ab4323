/**
 * The one regeneration after a content-policy refusal (Flux's NSFW failed prediction, OpenAI's
 * content_policy_violation): the author's prompt is replaced by FALLBACK_PROMPT, the switch is
 * recorded in the token's history, and a second refusal is permanent.
 */
import type { Context } from "../context";
import { type MintKey, transition, updateForMint } from "../db/tokens";
import { ContentPolicyError, PermanentError, PredictionFailedError } from "../errors";
import type { ImageResult } from "../providers/image";
import { promptHash, validatePrompt } from "./prompt";

export type PromptKind = "primary" | "fallback";

export type FallbackParameters = {
  ctx: Pick<Context, "db" | "config" | "scrub">;
  /** Runs the provider once with this prompt, resuming `resumeId` when given. */
  run: (prompt: string, kind: PromptKind, resumeId: string | null) => Promise<ImageResult>;
  key: MintKey;
  promptKind: PromptKind;
  prompt: string;
  resumeId: string | null;
  log: Context["logger"];
};

export type Generated = ImageResult & { prompt: string; promptKind: PromptKind };

/** Runs the provider; on a content-policy refusal of the author's prompt, regenerates once with FALLBACK_PROMPT. */
export async function generateWithFallbackPrompt(p: FallbackParameters): Promise<Generated> {
  const { ctx } = p;
  // A failed paid job cannot be resumed: forget it so the next attempt starts a new one.
  const forgetPrediction = (error: unknown) =>
    error instanceof PredictionFailedError
      ? updateForMint(ctx.db, { ...p.key, set: { prediction_id: null } })
      : undefined;
  try {
    return { ...(await p.run(p.prompt, p.promptKind, p.resumeId)), prompt: p.prompt, promptKind: p.promptKind };
  } catch (error) {
    await forgetPrediction(error);
    if (!(error instanceof ContentPolicyError)) throw error;
    if (p.promptKind === "fallback") throw new PermanentError(`FALLBACK_PROMPT refused too: ${error.message}`);
    const fallback = validatePrompt(ctx.config.FALLBACK_PROMPT);
    if (!fallback.ok) throw new PermanentError(`invalid FALLBACK_PROMPT: ${fallback.reason}`);
    p.log.warn({ err: error.message }, "content policy refused the prompt; regenerating once with FALLBACK_PROMPT");
    // A transition to the same status records the switch in the token's history.
    await transition(ctx.db, {
      ...p.key,
      from: ["generating"],
      to: "generating",
      stage: "generate",
      reason: ctx.scrub(
        `content policy refused the prompt; regenerating once with FALLBACK_PROMPT (${error.message.slice(0, 200)})`,
      ),
      set: { prediction_id: null, prompt_kind: "fallback", prompt_hash: promptHash(fallback.prompt) },
    });
    try {
      return { ...(await p.run(fallback.prompt, "fallback", null)), prompt: fallback.prompt, promptKind: "fallback" };
    } catch (second) {
      await forgetPrediction(second);
      if (second instanceof ContentPolicyError)
        throw new PermanentError(`FALLBACK_PROMPT refused too: ${second.message}`);
      throw second;
    }
  }
}
