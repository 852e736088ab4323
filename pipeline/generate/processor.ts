/**
 * Stage 1, `generate`: one image per minted token from its prompt author's prompt.
 *
 * Order matters: stored state first (finished work is skipped without any call), then the chain
 * (a token already revealed, or whose author changed after a reorg, never reaches a paid provider),
 * then the provider, whose job id is stored before waiting so a retry resumes instead of paying twice.
 * The image goes into the local content-addressed store as soon as it is downloaded (provider URLs
 * expire), and the `pin` stage takes it from there.
 */
import { DelayedError, type Job } from "bullmq";
import { type Address, getAddress, type Hash, zeroAddress } from "viem";
import { type GenerateJobData, QUEUE } from "../../common/jobs";
import { readOnChainToken } from "../chain/token-reads";
import type { Context } from "../context";
import { getAuthor } from "../db/authors";
import { getToken } from "../db/token-queries";
import { recordDetected, transition, updateForMint } from "../db/tokens";
import { permanent, TransientError } from "../errors";
import { enqueuePin } from "../jobs/enqueue";
import { stageFailure } from "../jobs/stage-failure";
import { chooseProvider, type ImageProviders } from "../providers/image";
import type { LocalStore } from "../providers/local-ipfs-store";
import { sniffImageMime } from "../providers/mime";
import { generateWithFallbackPrompt } from "./fallback-prompt";
import { promptHash, validatePrompt } from "./prompt";
import { recordStale } from "./record-stale";

export const GENERATE_QUEUE = QUEUE.generate;
export type { GenerateJobData };
export type GenerateResult = "generated" | "skipped";

export type GenerateDeps = { ctx: Context; providers: ImageProviders; store: LocalStore };

/** Statuses with nothing left to generate: done, or `failed` until an operator retries. */
const SETTLED = new Set(["generated", "uploaded", "revealing", "revealed", "failed"]);

/** Builds the BullMQ processor of the generate queue. */
export function createGenerateProcessor(deps: GenerateDeps) {
  const { ctx } = deps;
  // Three parameters: BullMQ passes an abort signal only to processors that declare it.
  return async (job: Job<GenerateJobData>, token?: string, signal?: AbortSignal): Promise<GenerateResult> => {
    const d = job.data;
    const log = ctx.logger.child({ stage: "generate", tokenId: d.tokenId, jobId: job.id });
    try {
      return await generate(deps, job, log, signal);
    } catch (error) {
      if (signal?.aborted) {
        // Interrupted by a shutdown: back to the queue without spending an attempt; the stored
        // prediction id lets the next worker resume instead of paying again.
        log.info("generate interrupted by shutdown; job put back");
        await job.moveToDelayed(Date.now() + 1_000, token);
        throw new DelayedError();
      }
      throw await stageFailure(error, {
        ctx,
        job,
        queue: ctx.queues.generate,
        stage: "generate",
        from: ["detected", "generating"],
        log,
      });
    }
  };
}

async function generate(
  deps: GenerateDeps,
  job: Job<GenerateJobData>,
  log: Context["logger"],
  signal?: AbortSignal,
): Promise<GenerateResult> {
  const { ctx, providers, store } = deps;
  const { config, db } = ctx;
  const d = job.data;
  const key = { chainId: d.chainId, tokenId: d.tokenId };
  const mintKey = { ...key, mintTxHash: d.mintTxHash };
  const attempt = job.attemptsMade + 1;
  if (d.chainId !== config.network.chainId)
    throw permanent(`job for chain ${d.chainId}, pipeline runs ${config.network.chainId}`);

  const known = await getToken(db, key);
  if (known && known.mint_tx_hash === d.mintTxHash) {
    if (known.status === "generated") await enqueuePin(ctx, mintKey);
    if (SETTLED.has(known.status)) {
      log.debug({ status: known.status }, "nothing to generate");
      return "skipped";
    }
  }

  const chainView = await readOnChainToken(ctx.chain, {
    contract: config.network.address,
    tokenId: BigInt(d.tokenId),
    mintTxHash: d.mintTxHash as Hash,
  });
  if (chainView.author === zeroAddress)
    throw new TransientError(`token ${d.tokenId} is not minted on the RPC node (yet)`);
  const jobAuthor = getAddress(d.promptAuthor as Address);
  if (!chainView.mintCanonical || getAddress(chainView.author) !== jobAuthor) {
    const why = !chainView.mintCanonical
      ? `stale job: mint ${d.mintTxHash} is not canonical (reorg)`
      : `stale job: on-chain author ${chainView.author} differs from the job's ${jobAuthor} (reorg)`;
    await recordStale(ctx, { ...mintKey, reason: why, jobId: job.id ?? null, attempt });
    log.warn({ reason: why }, "skipping stale generate job");
    return "skipped";
  }

  const { token } = await recordDetected(db, {
    ...mintKey,
    mintBlockNumber: Number(d.mintBlockNumber),
    minter: d.minter,
    author: d.promptAuthor,
    jobId: job.id,
  });
  if (token.mint_tx_hash !== d.mintTxHash) return "skipped";
  if (chainView.revealed) {
    await transition(db, {
      ...mintKey,
      from: ["detected", "generating", "generated", "uploaded", "revealing", "failed"],
      to: "revealed",
      stage: "generate",
      attempt,
      jobId: job.id ?? null,
      reason: "already revealed on-chain; no image generated",
    });
    return "skipped";
  }
  if (SETTLED.has(token.status)) return "skipped";

  const promptKind = token.prompt_kind === "fallback" ? "fallback" : "primary";
  const authorPrompt = (await getAuthor(db, d.promptAuthor))?.prompt ?? config.DEFAULT_PROMPT;
  const checked = validatePrompt(promptKind === "fallback" ? config.FALLBACK_PROMPT : authorPrompt);
  if (!checked.ok) throw permanent(`invalid prompt: ${checked.reason}`);

  const started = await transition(db, {
    ...mintKey,
    from: ["detected", "generating"],
    to: "generating",
    stage: "generate",
    attempt,
    jobId: job.id ?? null,
    set: { generate_attempts: attempt },
  });
  if (!started) return "skipped";

  const provider = chooseProvider(providers, {
    attemptsMade: job.attemptsMade,
    fallbackAfter: config.IMAGE_FALLBACK_AFTER_ATTEMPTS,
    storedProvider: token.image_provider,
    storedPredictionId: token.prediction_id,
  });
  const run = (prompt: string, kind: "primary" | "fallback", resumeId: string | null) =>
    provider.generate({
      tokenId: d.tokenId,
      prompt,
      resumeId,
      signal,
      onCreated: async (predictionId) => {
        const stored = await updateForMint(db, {
          ...mintKey,
          set: {
            prediction_id: predictionId,
            image_provider: provider.name,
            prompt_kind: kind,
            prompt_hash: promptHash(prompt),
          },
        });
        if (!stored) throw permanent(`token ${d.tokenId} was re-minted while its image was being generated`);
        log.info({ provider: provider.name, predictionId, promptKind: kind }, "prediction created");
      },
    });
  const resumeId = token.image_provider === provider.name ? token.prediction_id : null;
  const result = await generateWithFallbackPrompt({
    ctx,
    run,
    key: mintKey,
    promptKind,
    prompt: checked.prompt,
    resumeId,
    log,
  });

  const bytes = result.bytes;
  if (bytes.byteLength > config.IMAGE_DOWNLOAD_MAX_BYTES) {
    throw permanent(`image is ${bytes.byteLength} bytes, over the ${config.IMAGE_DOWNLOAD_MAX_BYTES}-byte cap`);
  }
  const mime = sniffImageMime(bytes);
  if (!mime) throw permanent(`${provider.name} returned bytes that are not a PNG, JPEG or WebP image`);
  const imageCid = await store.put(bytes, 1);
  const done = await transition(db, {
    ...mintKey,
    from: ["generating"],
    to: "generated",
    stage: "generate",
    attempt,
    jobId: job.id ?? null,
    set: {
      image_cid: imageCid,
      image_mime: mime,
      image_size: bytes.byteLength,
      image_provider: provider.name,
      generate_error: null,
      // A paid job recorded its prompt when it was created (a resumed one may predate a prompt change).
      ...(result.predictionId ? {} : { prompt_hash: promptHash(result.prompt), prompt_kind: result.promptKind }),
    },
  });
  if (!done) return "skipped";
  await enqueuePin(ctx, mintKey);
  log.info({ provider: provider.name, imageCid, bytes: bytes.byteLength }, "image generated");
  return "generated";
}
