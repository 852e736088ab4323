/**
 * Stage 2, `pin`: the image (already in the local store since the generate stage) and then the
 * metadata JSON go to the configured IPFS provider; the token becomes ready (`uploaded`) and a reveal
 * round is requested. Idempotent: with a remote provider each CID is recorded as soon as it is pinned
 * and never pinned again, so a retry after a failure between the two uploads only does the missing
 * one; with the local store alone (storing is free and idempotent) everything is written with the
 * ready transition: one write instead of four, which counts during a surge.
 */
import type { Job } from "bullmq";
import type { PinJobData } from "../../common/jobs";
import type { Context } from "../context";
import type { Token, TokenUpdate } from "../db/schema";
import { getToken } from "../db/token-queries";
import { type MintKey, transition, updateForMint } from "../db/tokens";
import { PermanentError } from "../errors";
import { withHeartbeat } from "../jobs/heartbeat";
import { recordSkip } from "../jobs/record-skip";
import { stageFailure } from "../jobs/stage-failure";
import type { LocalStore } from "../providers/local-ipfs-store";
import { extensionFor, type ImageMime } from "../providers/mime";
import type { IpfsPinner } from "../providers/pinner";
import { requestReveal } from "../reveal/request";
import { buildMetadata, metadataBytes } from "./metadata";

export type PinResult = "uploaded" | "skipped";

export type PinDeps = { ctx: Context; store: LocalStore; pinner?: IpfsPinner };

/** Builds the BullMQ processor of the pin queue. */
export function createPinProcessor(deps: PinDeps) {
  const { ctx } = deps;
  return async (job: Job<PinJobData>): Promise<PinResult> => {
    const log = ctx.logger.child({ stage: "pin", tokenId: job.data.tokenId, jobId: job.id });
    const key = { chainId: job.data.chainId, tokenId: job.data.tokenId, mintTxHash: job.data.mintTxHash };
    try {
      // Uploads may take up to PIN_TIMEOUT_MS each: the heartbeat tells recovery the job is alive.
      return await withHeartbeat(ctx, { key, work: () => pin(deps, job, log) });
    } catch (error) {
      throw await stageFailure(error, { ctx, job, queue: ctx.queues.pin, stage: "pin", from: ["generated"], log });
    }
  };
}

type PinObject = Parameters<IpfsPinner["pin"]>[0] & { localCid: string; differs: string };

/** Pins one object with the provider; the provider's CID is the one recorded (logged when it differs). */
async function pinObject(pinner: IpfsPinner, log: Context["logger"], o: PinObject): Promise<string> {
  const { localCid, differs, ...request } = o;
  const pinned = await pinner.pin(request);
  if (pinned !== localCid) log.warn({ local: localCid, pinned }, differs);
  return pinned;
}

/** One attempt of one job: what every step needs. */
type Attempt = {
  deps: PinDeps;
  job: Job<PinJobData>;
  key: MintKey;
  attempt: number;
  log: Context["logger"];
  /** Columns written with the ready transition (the local store alone); see `record`. */
  pending: TokenUpdate;
};

const REMINTED = "the token was re-minted meanwhile (reorg)";

/** Logs why this job does nothing and records it in the token's history. */
const skip = (a: Attempt, reason: string): Promise<"skipped"> =>
  recordSkip(a.deps.ctx, { key: a.key, stage: "pin", reason, jobId: a.job.id, attempt: a.attempt, log: a.log });

/** The steps of one attempt: check the row, pin the image, pin the metadata, mark the token ready. */
async function pin(deps: PinDeps, job: Job<PinJobData>, log: Context["logger"]): Promise<PinResult> {
  const { ctx } = deps;
  const d = job.data;
  const a: Attempt = {
    deps,
    job,
    key: { chainId: d.chainId, tokenId: d.tokenId, mintTxHash: d.mintTxHash },
    attempt: job.attemptsMade + 1,
    log,
    pending: {},
  };
  let token = await getToken(ctx.db, a.key);
  if (!token) return skip(a, "the pipeline has no row for this token");
  if (token.mint_tx_hash !== d.mintTxHash) return skip(a, `token is ${token.status} from mint ${token.mint_tx_hash}`);
  if (token.status === "uploaded") await requestReveal(ctx, { trigger: "ready" });
  if (token.status !== "generated") return skip(a, `nothing to pin: token is ${token.status}`);
  if (!token.image_cid || !token.image_mime) throw new PermanentError("generated token has no image CID");
  if (!(await record(a, token, { pin_attempts: a.attempt }))) return skip(a, REMINTED);
  if (!token.image_pinned_at) {
    const pinned = await pinImage(a, token);
    if (!pinned) return skip(a, REMINTED);
    token = pinned;
  }
  if (!token.metadata_cid) {
    const pinned = await pinMetadata(a, token);
    if (!pinned) return skip(a, REMINTED);
  }
  const ready = await transition(ctx.db, {
    ...a.key,
    from: ["generated"],
    to: "uploaded",
    stage: "pin",
    attempt: a.attempt,
    jobId: job.id ?? null,
    set: { ...a.pending, ready_at: new Date(), pin_error: null },
  });
  if (!ready) return skip(a, "another job moved the token on meanwhile");
  log.info({ imageCid: ready.image_cid, metadataCid: ready.metadata_cid }, "token ready");
  await requestReveal(ctx, { trigger: "ready" });
  return "uploaded";
}

/**
 * Writes `set` to the token now when a remote provider pins (so a retry never pins the same object
 * twice), else keeps it for the ready transition. Undefined when the row went to another mint.
 */
async function record(a: Attempt, token: Token, set: TokenUpdate): Promise<Token | undefined> {
  if (a.deps.pinner) return updateForMint(a.deps.ctx.db, { ...a.key, set });
  Object.assign(a.pending, set);
  return { ...token, ...set } as Token;
}

/** Pins the image from the local store (or checks it is there); undefined when the row went to another mint. */
async function pinImage(a: Attempt, token: Token): Promise<Token | undefined> {
  const { store, pinner } = a.deps;
  const d = a.job.data;
  let imageCid = token.image_cid as string;
  const missing = () => new PermanentError(`image ${imageCid} is missing from the local store (${store.dir})`);
  if (pinner) {
    const bytes = await store.get(imageCid);
    if (!bytes) throw missing();
    imageCid = await pinObject(pinner, a.log, {
      bytes,
      localCid: imageCid,
      name: `glisk-s0-${d.tokenId}.${extensionFor(token.image_mime as ImageMime)}`,
      mime: token.image_mime as string,
      cidVersion: 1,
      keyvalues: { tokenId: d.tokenId, chainId: String(d.chainId), kind: "image" },
      differs: "provider's image CID differs from ours; using it",
    });
  } else if (!(await store.has(imageCid))) {
    throw missing();
  }
  return record(a, token, { image_cid: imageCid, image_pinned_at: new Date() });
}

/** Builds, stores and pins the metadata JSON; undefined when the row went to another mint. */
async function pinMetadata(a: Attempt, token: Token): Promise<Token | undefined> {
  const { ctx, store, pinner } = a.deps;
  const { config } = ctx;
  const d = a.job.data;
  const bytes = metadataBytes(
    buildMetadata({
      tokenId: d.tokenId,
      author: token.author,
      imageCid: token.image_cid as string,
      promptKind: token.prompt_kind,
      xHandle: token.author_x_handle,
      farcasterHandle: token.author_farcaster_handle,
      description: config.METADATA_DESCRIPTION,
      externalUrl: config.METADATA_EXTERNAL_URL,
    }),
  );
  const version = config.METADATA_CID_VERSION === 0 ? 0 : 1;
  const localCid = await store.put(bytes, version);
  const metadataCid = pinner
    ? await pinObject(pinner, a.log, {
        bytes,
        localCid,
        name: `glisk-s0-${d.tokenId}.json`,
        mime: "application/json",
        cidVersion: version,
        keyvalues: { tokenId: d.tokenId, chainId: String(d.chainId), kind: "metadata" },
        differs: "provider's metadata CID differs from ours",
      })
    : localCid;
  return record(a, token, { metadata_cid: metadataCid });
}
