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
import type { GenerateJobData } from "../../common/jobs";
import { readOnChainToken } from "../chain/token-reads";
import type { Context } from "../context";
import { getAuthor } from "../db/authors";
import type { MintKey, Token } from "../db/schema";
import { getToken } from "../db/token-queries";
import { recordDetected, transition } from "../db/tokens";
import { PermanentError, RetryableError } from "../errors";
import { enqueuePin } from "../jobs/enqueue";
import { recordSkip } from "../jobs/record-skip";
import { stageFailure } from "../jobs/stage-failure";
import type { ImageProviders } from "../providers/image";
import type { LocalStore } from "../providers/local-ipfs-store";
import { sniffImageMime } from "../providers/mime";
import type { PromptKind } from "./fallback-prompt";
import { makeImage } from "./make-image";
import { promptHash, validatePrompt } from "./prompt";
import { recordStale } from "./record-stale";

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
    const key = { chainId: d.chainId, tokenId: d.tokenId, mintTxHash: d.mintTxHash };
    try {
      return await generate({ deps, job, key, attempt: job.attemptsMade + 1, log, signal });
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

/** One attempt of one job: what every step needs. */
type Attempt = {
  deps: GenerateDeps;
  job: Job<GenerateJobData>;
  key: MintKey;
  attempt: number;
  log: Context["logger"];
  signal?: AbortSignal;
};

/** The steps of one attempt; each either lets the next one run or ends the job as "skipped", saying why. */
async function generate(a: Attempt): Promise<GenerateResult> {
  checkDeployment(a);
  const finished = await finishedAlready(a);
  if (finished) return finished;
  const token = await checkChainAndRecord(a);
  if (token === "skipped") return token;
  const started = await startGenerating(a, token);
  if (started === "skipped") return started;
  const { handles, ...prompt } = started;
  const image = await makeImage({ ...a, ctx: a.deps.ctx, providers: a.deps.providers, token, ...prompt });
  return storeImage(a, { image, handles });
}

/** Logs why this job does nothing and records it in the token's history. */
const skip = (a: Attempt, reason: string): Promise<"skipped"> =>
  recordSkip(a.deps.ctx, { key: a.key, stage: "generate", reason, jobId: a.job.id, attempt: a.attempt, log: a.log });

/** A job of another deployment (a shared Redis, a stale queue) never touches this one's tokens. */
function checkDeployment(a: Attempt): void {
  const { network } = a.deps.ctx.config;
  const d = a.job.data;
  if (d.chainId !== network.chainId)
    throw new PermanentError(`job for chain ${d.chainId}, pipeline runs ${network.chainId}`);
  if (d.contract && getAddress(d.contract) !== network.address)
    throw new PermanentError(`job for contract ${d.contract}, pipeline serves ${network.address}`);
}

/** Stored state first: finished work is skipped without any call (a generated token's pin is re-enqueued). */
async function finishedAlready(a: Attempt): Promise<"skipped" | undefined> {
  const known = await getToken(a.deps.ctx.db, a.key);
  if (!known || known.mint_tx_hash !== a.key.mintTxHash) return undefined;
  if (known.status === "generated") await enqueuePin(a.deps.ctx, a.key);
  if (!SETTLED.has(known.status)) return undefined;
  return skip(a, `nothing to generate: token is ${known.status}`);
}

/**
 * The chain before any paid call: a stale job (its mint reorged away, or the id given to another
 * author) is skipped with the reason recorded; a token already revealed is recorded as such. Existence
 * is `nextTokenId`'s answer, not the author's: a token minted with author address(0) exists. Returns
 * the token's row for this mint when there is work to do.
 */
async function checkChainAndRecord(a: Attempt): Promise<Token | "skipped"> {
  const { ctx } = a.deps;
  const d = a.job.data;
  const chainView = await readOnChainToken(ctx.chain, {
    contract: ctx.config.network.address,
    tokenId: BigInt(d.tokenId),
    mintTxHash: d.mintTxHash as Hash,
  });
  if (!chainView.minted) throw new RetryableError(`token ${d.tokenId} is not minted on the RPC node (yet)`);
  const jobAuthor = getAddress(d.promptAuthor as Address);
  if (!chainView.mintCanonical || getAddress(chainView.author) !== jobAuthor) {
    const why = !chainView.mintCanonical
      ? `stale job: mint ${d.mintTxHash} is not canonical (reorg)`
      : `stale job: on-chain author ${chainView.author} differs from the job's ${jobAuthor} (reorg)`;
    await recordStale(ctx, { ...a.key, reason: why, jobId: a.job.id ?? null, attempt: a.attempt });
    a.log.warn({ reason: why }, "skipping stale generate job");
    return "skipped";
  }
  const { token } = await recordDetected(ctx.db, {
    ...a.key,
    mintBlockNumber: Number(d.mintBlockNumber),
    minter: d.minter,
    author: d.promptAuthor,
    jobId: a.job.id,
  });
  if (token.mint_tx_hash !== d.mintTxHash)
    return skip(a, `token is ${token.status} from mint ${token.mint_tx_hash}, not this job's`);
  if (chainView.revealed) {
    const recorded = await transition(ctx.db, {
      ...a.key,
      from: ["detected", "generating", "generated", "uploaded", "revealing", "failed"],
      to: "revealed",
      stage: "generate",
      attempt: a.attempt,
      jobId: a.job.id ?? null,
      reason: "already revealed on-chain; no image generated",
    });
    if (!recorded) return skip(a, "already revealed on-chain");
    a.log.info("already revealed on-chain; recorded, no image generated");
    return "skipped";
  }
  return SETTLED.has(token.status) ? skip(a, `nothing to generate: token is ${token.status}`) : token;
}

/** The author's linked handles when the image is made; the metadata shows these (pin/metadata.ts). */
type AuthorHandles = { author_x_handle: string | null; author_farcaster_handle: string | null };

/**
 * The prompt this attempt uses (the author's, DEFAULT_PROMPT for an author without one or a token
 * minted without an author, FALLBACK_PROMPT after a refusal), the author's handles, and `generating`.
 */
async function startGenerating(
  a: Attempt,
  token: Token,
): Promise<{ prompt: string; promptKind: PromptKind; handles: AuthorHandles } | "skipped"> {
  const { config, db } = a.deps.ctx;
  const promptKind = token.prompt_kind === "fallback" ? "fallback" : "primary";
  const author = getAddress(a.job.data.promptAuthor);
  // address(0) is nobody: the deployed contract and the web client allow minting without an author.
  const registered = author === zeroAddress ? undefined : await getAuthor(db, author);
  const handles = {
    author_x_handle: registered?.x_handle ?? null,
    author_farcaster_handle: registered?.farcaster_handle ?? null,
  };
  const checked = validatePrompt(
    promptKind === "fallback" ? config.FALLBACK_PROMPT : (registered?.prompt ?? config.DEFAULT_PROMPT),
  );
  if (!checked.ok) throw new PermanentError(`invalid prompt: ${checked.reason}`);
  const started = await transition(db, {
    ...a.key,
    from: ["detected", "generating"],
    to: "generating",
    stage: "generate",
    attempt: a.attempt,
    jobId: a.job.id ?? null,
    set: { generate_attempts: a.attempt },
  });
  return started
    ? { prompt: checked.prompt, promptKind, handles }
    : skip(a, "another job moved the token on meanwhile");
}

/** Checks the bytes, puts them in the local store at once (provider URLs expire), and hands the token to `pin`. */
async function storeImage(
  a: Attempt,
  { image, handles }: { image: Awaited<ReturnType<typeof makeImage>>; handles: AuthorHandles },
): Promise<GenerateResult> {
  const { ctx, store } = a.deps;
  const { bytes } = image;
  const max = ctx.config.IMAGE_DOWNLOAD_MAX_BYTES;
  if (bytes.byteLength > max) throw new PermanentError(`image is ${bytes.byteLength} bytes, over the ${max}-byte cap`);
  const mime = sniffImageMime(bytes);
  if (!mime) throw new PermanentError(`${image.provider} returned bytes that are not a PNG, JPEG or WebP image`);
  const imageCid = await store.put(bytes, 1);
  const done = await transition(ctx.db, {
    ...a.key,
    from: ["generating"],
    to: "generated",
    stage: "generate",
    attempt: a.attempt,
    jobId: a.job.id ?? null,
    set: {
      image_cid: imageCid,
      image_mime: mime,
      image_size: bytes.byteLength,
      image_provider: image.provider,
      ...handles,
      generate_error: null,
      // A paid job recorded its prompt when it was created (a resumed one may predate a prompt change).
      ...(image.predictionId ? {} : { prompt_hash: promptHash(image.prompt), prompt_kind: image.promptKind }),
    },
  });
  if (!done) return skip(a, "another job moved the token on while the image was made");
  await enqueuePin(ctx, a.key);
  a.log.info({ provider: image.provider, imageCid, bytes: bytes.byteLength }, "image generated");
  return "generated";
}
