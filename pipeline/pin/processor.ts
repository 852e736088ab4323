/**
 * Stage 2, `pin`: the image (already in the local store since the generate stage) and then the
 * metadata JSON go to the configured IPFS provider; the token becomes ready (`uploaded`) and a reveal
 * round is requested. Idempotent: with a remote provider each CID is recorded as soon as it is pinned
 * and never pinned again, so a retry after a failure between the two uploads only does the missing
 * one; with the local store alone, everything is written with the ready transition.
 */
import type { Job } from "bullmq";
import type { PinJobData } from "../../common/jobs";
import type { Context } from "../context";
import type { MintKey, Token, TokenUpdate } from "../db/schema";
import { getToken } from "../db/token-queries";
import { transition, updateForMint } from "../db/tokens";
import { PermanentError } from "../errors";
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
    try {
      return await pin(deps, job, log);
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

/** One attempt of one pin job: what every step needs. */
type Attempt = {
  deps: PinDeps;
  job: Job<PinJobData>;
  key: MintKey;
  log: Context["logger"];
  /** The token as this attempt has made it so far. */
  token: Token;
  /**
   * Columns to write with the final transition. With a remote provider each pinned CID is written at
   * once instead, so a retry never pins it again; the local store needs no such care (storing is free
   * and idempotent), and one write instead of three counts during a surge.
   */
  pending: TokenUpdate;
};

async function pin(deps: PinDeps, job: Job<PinJobData>, log: Context["logger"]): Promise<PinResult> {
  const d = job.data;
  const key = { chainId: d.chainId, tokenId: d.tokenId, mintTxHash: d.mintTxHash };
  const token = await getToken(deps.ctx.db, key);
  if (!token || token.mint_tx_hash !== d.mintTxHash) return "skipped";
  if (token.status === "uploaded") await requestReveal(deps.ctx, { trigger: "ready" });
  if (token.status !== "generated") return "skipped";
  if (!token.image_cid || !token.image_mime) throw new PermanentError("generated token has no image CID");
  const a: Attempt = { deps, job, key, log, token, pending: {} };
  if (!(await record(a, { pin_attempts: job.attemptsMade + 1 }))) return "skipped";
  if (!a.token.image_pinned_at && !(await pinImage(a))) return "skipped";
  if (!a.token.metadata_cid && !(await pinMetadata(a))) return "skipped";
  const ready = await transition(deps.ctx.db, {
    ...key,
    from: ["generated"],
    to: "uploaded",
    stage: "pin",
    attempt: job.attemptsMade + 1,
    jobId: job.id ?? null,
    set: { ...a.pending, ready_at: new Date(), pin_error: null },
  });
  if (!ready) return "skipped";
  log.info({ imageCid: ready.image_cid, metadataCid: ready.metadata_cid }, "token ready");
  await requestReveal(deps.ctx, { trigger: "ready" });
  return "uploaded";
}

/** Writes `set` now (remote provider) or with the final transition (local store); false when the row is another mint's. */
async function record(a: Attempt, set: TokenUpdate): Promise<boolean> {
  if (!a.deps.pinner) {
    Object.assign(a.pending, set);
    a.token = { ...a.token, ...set } as Token;
    return true;
  }
  const updated = await updateForMint(a.deps.ctx.db, { ...a.key, set });
  if (updated) a.token = updated;
  return Boolean(updated);
}

/** The image, from the local store to the provider (with the local store alone, its presence is checked). */
async function pinImage(a: Attempt): Promise<boolean> {
  const { store, pinner } = a.deps;
  const d = a.job.data;
  let imageCid = a.token.image_cid as string;
  const missing = () => new PermanentError(`image ${imageCid} is missing from the local store (${store.dir})`);
  if (pinner) {
    const bytes = await store.get(imageCid);
    if (!bytes) throw missing();
    imageCid = await pinObject(pinner, a.log, {
      bytes,
      localCid: imageCid,
      name: `glisk-s0-${d.tokenId}.${extensionFor(a.token.image_mime as ImageMime)}`,
      mime: a.token.image_mime as string,
      cidVersion: 1,
      keyvalues: { tokenId: d.tokenId, chainId: String(d.chainId), kind: "image" },
      differs: "provider's image CID differs from ours; using it",
    });
  } else if (!(await store.has(imageCid))) {
    throw missing();
  }
  return record(a, { image_cid: imageCid, image_pinned_at: new Date() });
}

/** The metadata JSON, into the local store and to the provider. */
async function pinMetadata(a: Attempt): Promise<boolean> {
  const { ctx, store, pinner } = a.deps;
  const { config } = ctx;
  const d = a.job.data;
  const bytes = metadataBytes(
    buildMetadata({
      tokenId: d.tokenId,
      author: a.token.author,
      imageCid: a.token.image_cid as string,
      promptKind: a.token.prompt_kind,
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
  return record(a, { metadata_cid: metadataCid });
}
