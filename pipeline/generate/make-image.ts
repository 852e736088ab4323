/**
 * The paid part of the generate stage: pick the provider for this attempt, resume the prediction a
 * previous attempt stored or create one, and store its id durably before waiting on it (invariant 3).
 * Storing the id waits out a database outage (db/retry-unreachable.ts). A content-policy refusal
 * regenerates once with FALLBACK_PROMPT (fallback-prompt.ts).
 */
import type { Job } from "bullmq";
import type { GenerateJobData } from "../../common/jobs";
import type { Context } from "../context";
import { retryUnreachable } from "../db/retry-unreachable";
import type { Token } from "../db/schema";
import { updateForMint } from "../db/tokens";
import { PermanentError } from "../errors";
import { withHeartbeat } from "../jobs/heartbeat";
import { chooseProvider, type ImageProvider, type ImageProviders } from "../providers/image";
import { type Generated, generateWithFallbackPrompt, type PromptKind } from "./fallback-prompt";
import { promptHash } from "./prompt";

export type MakeImageParameters = {
  ctx: Context;
  providers: ImageProviders;
  job: Job<GenerateJobData>;
  /** The token's row as this attempt found it (stored provider and prediction id). */
  token: Token;
  prompt: string;
  promptKind: PromptKind;
  signal?: AbortSignal;
  log: Context["logger"];
};

/** Generates the token's image with the provider this attempt is due to use. */
export async function makeImage(p: MakeImageParameters): Promise<Generated & { provider: ImageProvider["name"] }> {
  const { ctx, job, token, log } = p;
  const d = job.data;
  const key = { chainId: d.chainId, tokenId: d.tokenId, mintTxHash: d.mintTxHash };
  const provider = chooseProvider(p.providers, {
    attemptsMade: job.attemptsMade,
    fallbackAfter: ctx.config.IMAGE_FALLBACK_AFTER_ATTEMPTS,
    storedProvider: token.image_provider,
    storedPredictionId: token.prediction_id,
  });
  const run = (prompt: string, kind: PromptKind, resumeId: string | null) =>
    provider.generate({
      tokenId: d.tokenId,
      prompt,
      resumeId,
      signal: p.signal,
      onCreated: async (predictionId) => {
        const set = {
          prediction_id: predictionId,
          image_provider: provider.name,
          prompt_kind: kind,
          prompt_hash: promptHash(prompt),
        };
        // The provider has accepted (and billed) the prediction: a database outage now is waited
        // out, since failing the attempt would leave no id to resume and the retry would pay again.
        const stored = await retryUnreachable(() => updateForMint(ctx.db, { ...key, set }), {
          signal: p.signal,
          onUnreachable: ctx.outages.postgres.failed,
        });
        if (!stored) {
          throw new PermanentError(`token ${d.tokenId} was re-minted while its image was being generated`);
        }
        log.info({ provider: provider.name, predictionId, promptKind: kind }, "prediction created");
      },
    });
  const resumeId = token.image_provider === provider.name ? token.prediction_id : null;
  const generated = await withHeartbeat(ctx, {
    key,
    work: () =>
      generateWithFallbackPrompt({ ctx, run, key, promptKind: p.promptKind, prompt: p.prompt, resumeId, log }),
  });
  return { ...generated, provider: provider.name };
}
