import type { Queue } from "bullmq";
import { beforeEach, describe, expect, test } from "vitest";
import { setAuthorPrompt } from "../pipeline/db/authors";
import { tokenHistory } from "../pipeline/db/token-queries";
import { promptHash } from "../pipeline/generate/prompt";
import { computeCid } from "../pipeline/providers/cid";
import { renderPng } from "../pipeline/providers/local-image";
import { createLocalStore } from "../pipeline/providers/local-ipfs-store";
import { anvilAccount, waitFor } from "../scripts/lib/glisk";
import { useStages } from "./helpers/stages";

const s = useStages();
const author = anvilAccount(3).address;
const PROMPT = "a lighthouse made of stained glass at dusk";

beforeEach(async () => {
  s.replicate().reset();
  s.pinata().reset();
  await setAuthorPrompt(s.db(), { address: author, prompt: PROMPT });
});

describe("generate → pin with Replicate and Pinata", () => {
  test("a minted token becomes ready with CIDs that match the pinned bytes and no prompt in the metadata", async () => {
    const p = await s.start();
    const job = await s.mintJob(author);
    await s.enqueue(p, [job, job]);
    const token = await s.until(job.tokenId, ["uploaded", "failed"]);
    expect(token.status).toBe("uploaded");
    expect(token.ready_at).not.toBeNull();
    expect(token.prompt_hash).toBe(promptHash(PROMPT));
    expect(token.prompt_kind).toBe("primary");
    expect(token.image_provider).toBe("replicate");
    expect(s.replicate().counters.create).toBe(1);
    expect(s.replicate().counters.createByPrompt.get(PROMPT)).toBe(1);
    expect(token.prediction_id).toBe([...s.replicate().predictions.keys()][0]);

    const uploads = s.pinata().uploads;
    expect(uploads.map((u) => u.name)).toEqual([`glisk-s0-${job.tokenId}.png`, `glisk-s0-${job.tokenId}.json`]);
    const [image, metadata] = uploads;
    if (!image || !metadata) throw new Error("missing uploads");
    expect(image.keyvalues.tokenId).toBe(job.tokenId);
    expect(image.network).toBe("public");
    expect(token.image_cid).toBe(await computeCid(image.bytes, 1));
    expect(token.image_cid?.startsWith("bafkrei")).toBe(true);
    expect(token.image_mime).toBe("image/png");
    expect(metadata.cidVersion).toBe("v0");
    expect(token.metadata_cid).toBe(await computeCid(metadata.bytes, 0));
    expect(token.metadata_cid?.startsWith("Qm")).toBe(true);
    const json = JSON.parse(metadata.bytes.toString());
    expect(json.name).toBe(`GLISK S0 #${job.tokenId}`);
    expect(json.image).toBe(`ipfs://${token.image_cid}`);
    expect(json.attributes).toContainEqual({ trait_type: "Prompt Author", value: author });
    expect(json.attributes).toContainEqual({ trait_type: "Season", value: 0 });
    expect(metadata.bytes.toString()).not.toContain("lighthouse");
    // The local store holds both objects under the same CIDs.
    const store = createLocalStore(s.ipfsDir());
    expect(await store.has(token.image_cid ?? "")).toBe(true);
    expect(await store.has(token.metadata_cid ?? "")).toBe(true);
    // A reveal round was requested.
    expect(await p.ctx.queues.reveal.count()).toBeGreaterThan(0);
    const history = await tokenHistory(s.db(), { chainId: 31337, tokenId: job.tokenId });
    expect(history.map((e) => e.to_status)).toEqual(["detected", "generating", "generated", "uploaded"]);
  });

  test("a generate job replayed after the token is ready makes no call and pins nothing again", async () => {
    const p = await s.start();
    const job = await s.mintJob(author);
    await s.enqueue(p, [job]);
    await s.until(job.tokenId, ["uploaded"]);
    await p.ctx.queues.generate.obliterate({ force: true });
    await p.ctx.queues.pin.obliterate({ force: true });
    await s.enqueue(p, [job]);
    expect(await finished(p.ctx.queues.generate, `gen-31337-${job.tokenId}-${job.mintTxHash}`)).toBe("skipped");
    expect(s.replicate().counters.create).toBe(1);
    expect(s.pinata().counters.upload).toBe(2);
  });
});

/** Polls a job until it finished; returns its return value (or throws its failure). */
async function finished(queue: Queue, jobId: string): Promise<unknown> {
  let state = "";
  await waitFor(
    async () => {
      state = (await queue.getJobState(jobId)) as string;
      return state === "completed" || state === "failed";
    },
    { timeoutMs: 30_000, message: `job ${jobId} to finish (last state: ${state})` },
  );
  // Read the job after its state says finished, so the return value is there.
  const job = await queue.getJob(jobId);
  if (state === "failed") throw new Error(job?.failedReason);
  return job?.returnvalue;
}

describe("failure classes", () => {
  const failsWith = async (setup: () => void, match: RegExp, extra: Record<string, string> = {}) => {
    const p = await s.start(extra);
    setup();
    const { token } = await s.mintAndRun(p, author);
    expect(token.status).toBe("failed");
    expect(token.generate_error ?? token.pin_error).toMatch(match);
    return token;
  };

  test("401 from Replicate fails at once without retries", async () => {
    await failsWith(() => s.replicate().faults.push("create", { status: 401, times: 10 }), /HTTP 401/);
    expect(s.replicate().counters.create).toBe(1);
  });

  test("422 invalid input fails at once", async () => {
    await failsWith(() => s.replicate().faults.push("create", { status: 422, times: 10 }), /HTTP 422/);
    expect(s.replicate().counters.create).toBe(1);
  });

  test("5xx on create is retried with backoff and then succeeds", async () => {
    const p = await s.start();
    s.replicate().faults.push("create", { status: 503, times: 2 });
    const { token } = await s.mintAndRun(p, author);
    expect(token.status).toBe("uploaded");
    expect(s.replicate().counters.create).toBe(3);
    expect(token.generate_attempts).toBe(3);
  });

  test("5xx while polling keeps the same prediction: one create only", async () => {
    const p = await s.start();
    s.replicate().behaviour.processingPolls = 2;
    s.replicate().faults.push("get", { status: 502, times: 12 });
    const { token } = await s.mintAndRun(p, author);
    expect(token.status).toBe("uploaded");
    expect(s.replicate().counters.create).toBe(1);
  });

  test("a create whose response is lost is never re-sent by the SDK: at most one create per attempt", async () => {
    const p = await s.start();
    s.replicate().faults.push("create", { status: 0, drop: true, times: 100 });
    const { token } = await s.mintAndRun(p, author);
    expect(token.status).toBe("failed");
    expect(token.generate_error).toMatch(/no response/);
    // The SDK alone would re-send each create up to 5 more times at once.
    expect(s.replicate().counters.create).toBe(p.ctx.config.JOB_ATTEMPTS);
  });

  test("429 honours Retry-After through the queue's rate limit without spending an attempt", async () => {
    const p = await s.start();
    s.replicate().faults.push("create", { status: 429, headers: { "retry-after": "1" } });
    const { token } = await s.mintAndRun(p, author);
    expect(token.status).toBe("uploaded");
    // The SDK's own retries were answered by the gate: the server saw the 429 once, then one success.
    expect(s.replicate().counters.create).toBe(2);
    expect(token.generate_attempts).toBe(1);
  });

  test("a provider that answers 429 forever fails the token with the reason after RATE_LIMIT_MAX_WAITS", async () => {
    const p = await s.start({ RATE_LIMIT_MAX_WAITS: "3" });
    s.replicate().faults.push("create", { status: 429, headers: { "retry-after": "0.05" }, times: 1_000 });
    const { token } = await s.mintAndRun(p, author);
    expect(token.status).toBe("failed");
    expect(token.generate_error).toMatch(/rate limited by the provider 4 times \(RATE_LIMIT_MAX_WAITS\)/);
    // Three waits, then the fourth 429 ends it: at most four creates reached the server (the gate in
    // front of the SDK answers a start that falls inside the Retry-After window itself).
    expect(s.replicate().counters.create).toBeGreaterThan(0);
    expect(s.replicate().counters.create).toBeLessThanOrEqual(4);
    s.replicate().faults.clear();
  });

  test("a model error retries with a fresh prediction", async () => {
    const p = await s.start();
    let failures = 1;
    s.replicate().behaviour.modelError = () => failures-- > 0;
    const { token } = await s.mintAndRun(p, author);
    expect(token.status).toBe("uploaded");
    expect(s.replicate().counters.create).toBe(2);
  });

  test("Pinata 5xx is retried; the image is not pinned twice", async () => {
    const p = await s.start();
    // The image upload succeeds, the metadata upload fails once.
    s.pinata().faults.push("upload", { status: 500, skip: 1 });
    const { job, token } = await s.mintAndRun(p, author);
    expect(token.status).toBe("uploaded");
    expect(s.pinata().uploads.map((u) => u.name)).toEqual([
      `glisk-s0-${job.tokenId}.png`,
      `glisk-s0-${job.tokenId}.json`,
    ]);
    expect(s.pinata().counters.upload).toBe(3);
    expect(s.replicate().counters.create).toBe(1);
  });

  test("Pinata 401 fails the token in the pin stage after one image was generated", async () => {
    const token = await failsWith(() => {}, /401|Authentication/, { PINATA_JWT: "wrong.jwt" });
    expect(token.image_cid).not.toBeNull();
    expect(s.replicate().counters.create).toBe(1);
    expect(s.pinata().counters.unauthorized).toBe(1);
  });

  test("an oversized output fails permanently", async () => {
    await failsWith(() => {}, /cap/, { IMAGE_DOWNLOAD_MAX_BYTES: "1024" });
    expect(s.replicate().counters.create).toBe(1);
  });

  test("an output that is not an image fails permanently, whatever its Content-Type says", async () => {
    await failsWith(() => {
      s.replicate().behaviour.outputBytes = () => Buffer.from("<html><body>not an image</body></html>");
    }, /not a PNG, JPEG or WebP/);
    expect(s.replicate().counters.create).toBe(1);
  });

  test("an output on a host that is not allowed is never fetched", async () => {
    await failsWith(() => {
      s.replicate().behaviour.outputUrl = (pr, origin) =>
        `${origin.replace("127.0.0.1", "localhost")}/files/${pr.id}/out-0.png`;
    }, /host localhost is not allowed/);
    expect(s.replicate().counters.file).toBe(0);
  });

  test("loopback outputs are refused unless IMAGE_DOWNLOAD_ALLOW_LOOPBACK", async () => {
    await failsWith(() => {}, /scheme http: is not allowed|not a public address/, {
      IMAGE_DOWNLOAD_ALLOW_LOOPBACK: "false",
    });
    expect(s.replicate().counters.file).toBe(0);
  });
});

describe("content policy", () => {
  test("an NSFW failure regenerates once with FALLBACK_PROMPT and records it", async () => {
    const p = await s.start();
    s.replicate().behaviour.nsfw = (prompt) => prompt === PROMPT;
    const { job, token } = await s.mintAndRun(p, author);
    expect(token.status).toBe("uploaded");
    expect(token.prompt_kind).toBe("fallback");
    expect(token.prompt_hash).toBe(promptHash(p.ctx.config.FALLBACK_PROMPT));
    expect(s.replicate().counters.createByPrompt.get(PROMPT)).toBe(1);
    expect(s.replicate().counters.createByPrompt.get(p.ctx.config.FALLBACK_PROMPT)).toBe(1);
    const metadata = JSON.parse(s.pinata().uploads[1]?.bytes.toString() ?? "{}");
    expect(metadata.attributes).toContainEqual({ trait_type: "Prompt", value: "Fallback" });
    const history = await tokenHistory(s.db(), { chainId: 31337, tokenId: job.tokenId });
    expect(history.some((e) => /FALLBACK_PROMPT/.test(e.reason ?? ""))).toBe(true);
  });

  test("when the fallback is refused too the token fails after exactly two predictions", async () => {
    const p = await s.start();
    s.replicate().behaviour.nsfw = () => true;
    const { token } = await s.mintAndRun(p, author);
    expect(token.status).toBe("failed");
    expect(token.generate_error).toMatch(/FALLBACK_PROMPT refused/);
    expect(s.replicate().counters.create).toBe(2);
  });
});

describe("on-chain checks before any paid call", () => {
  test("a token already revealed on-chain is marked revealed with zero predictions", async () => {
    const p = await s.start();
    const job = await s.mintJob(author);
    const { localClients } = await import("../scripts/lib/glisk");
    const { GliskNFTAbi } = await import("../abis/GliskNFTAbi");
    const { publicClient, walletFor } = localClients(s.anvil().url);
    const hash = await walletFor(anvilAccount(1)).writeContract({
      address: s.contract(),
      abi: GliskNFTAbi,
      functionName: "revealTokens",
      args: [[BigInt(job.tokenId)], ["ipfs://QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"]],
    });
    await publicClient.waitForTransactionReceipt({ hash });
    await s.enqueue(p, [job]);
    const token = await s.until(job.tokenId, ["revealed", "uploaded", "failed"]);
    expect(token.status).toBe("revealed");
    expect(s.replicate().counters.create).toBe(0);
    expect(s.pinata().counters.upload).toBe(0);
  });

  test("after a reorg gives the token to another author, the stale job is skipped and recorded", async () => {
    const p = await s.start();
    const other = anvilAccount(4).address;
    await setAuthorPrompt(s.db(), { address: other, prompt: "the other author's prompt" });
    const snapshot = await s.anvil().snapshot();
    const [stale] = await s.mintJobs(author);
    await s.anvil().revert(snapshot);
    const [fresh] = await s.mintJobs(other);
    if (!stale || !fresh) throw new Error("no job");
    expect(fresh.tokenId).toBe(stale.tokenId);
    await s.enqueue(p, [stale]);
    expect(await finished(p.ctx.queues.generate, `gen-31337-${stale.tokenId}-${stale.mintTxHash}`)).toBe("skipped");
    expect(s.replicate().counters.create).toBe(0);
    const history = await tokenHistory(s.db(), { chainId: 31337, tokenId: stale.tokenId });
    expect(history.some((e) => e.mint_tx_hash === stale.mintTxHash && /stale job/.test(e.reason ?? ""))).toBe(true);

    await s.enqueue(p, [fresh]);
    const token = await s.until(fresh.tokenId, ["uploaded"]);
    expect(token.author).toBe(other.toLowerCase());
    expect(token.mint_tx_hash).toBe(fresh.mintTxHash);
    expect(s.replicate().counters.createByPrompt.get("the other author's prompt")).toBe(1);
    expect(s.replicate().counters.create).toBe(1);
  });
});

describe("a reorg while the image is being generated", () => {
  test("the stale job's prediction never lands on the new mint: the new author's prompt makes the image", async () => {
    const p = await s.start();
    const other = anvilAccount(4).address;
    const otherPrompt = "a field of paper cranes";
    await setAuthorPrompt(s.db(), { address: other, prompt: otherPrompt });
    s.replicate().behaviour.hold = true;
    const snapshot = await s.anvil().snapshot();
    const [stale] = await s.mintJobs(author);
    if (!stale) throw new Error("no job");
    await s.enqueue(p, [stale]);
    await waitFor(() => s.replicate().counters.create === 1 && s.replicate().counters.get >= 1, {
      message: "the stale job to wait on its prediction",
    });
    await s.anvil().revert(snapshot);
    const [fresh] = await s.mintJobs(other);
    if (!fresh) throw new Error("no job");
    expect(fresh.tokenId).toBe(stale.tokenId);
    await s.enqueue(p, [fresh]);
    await waitFor(() => s.replicate().counters.create === 2, { message: "the new mint's prediction" });
    s.replicate().release();
    const token = await s.until(fresh.tokenId, ["uploaded", "failed"]);
    expect(token.status).toBe("uploaded");
    expect(token.mint_tx_hash).toBe(fresh.mintTxHash);
    expect(token.author).toBe(other.toLowerCase());
    expect(token.prompt_hash).toBe(promptHash(otherPrompt));
    const prediction = token.prediction_id ? s.replicate().predictions.get(token.prediction_id) : undefined;
    expect(prediction?.input.prompt).toBe(otherPrompt);
    const image = await createLocalStore(s.ipfsDir()).get(token.image_cid ?? "");
    expect(Buffer.from(image ?? []).equals(Buffer.from(renderPng(otherPrompt, prediction?.id ?? "")))).toBe(true);
  });
});

describe("operator retry and recovery", () => {
  test("retryToken re-runs a failed token from generate, replacing the old failed job", async () => {
    const p = await s.start();
    s.replicate().faults.push("create", { status: 401 });
    const job = await s.mintJob(author);
    await s.enqueue(p, [job]);
    await s.until(job.tokenId, ["failed"]);
    const { retryToken } = await import("../pipeline/recovery/retry-token");
    expect(await retryToken(p.ctx, { chainId: 31337, tokenId: job.tokenId })).toEqual({
      retried: true,
      stage: "generate",
    });
    const token = await s.until(job.tokenId, ["uploaded"]);
    expect(token.status).toBe("uploaded");
    expect(s.replicate().counters.create).toBe(2);
  });

  test("after a Redis wipe, recoverStages rebuilds the jobs of unfinished tokens", async () => {
    const p = await s.start();
    await p.workers.close();
    const jobs = await s.mintJobs(author, 3);
    const { recordDetected } = await import("../pipeline/db/tokens");
    for (const j of jobs) {
      await recordDetected(s.db(), { ...j, mintBlockNumber: Number(j.mintBlockNumber), author: j.promptAuthor });
    }
    // Nothing is queued: the jobs were "lost" with Redis.
    expect(await p.ctx.queues.generate.count()).toBe(0);
    const { recoverStages } = await import("../pipeline/recovery/recover-stages");
    expect(await recoverStages(p.ctx)).toMatchObject({ generate: 3, pin: 0 });
    expect(await recoverStages(p.ctx)).toMatchObject({ generate: 0, pin: 0 });
    const { startStageWorkers } = await import("../pipeline/workers");
    const workers = startStageWorkers(p.ctx);
    try {
      for (const j of jobs) expect((await s.until(j.tokenId, ["uploaded", "failed"])).status).toBe("uploaded");
      // Redis restored from an old snapshot: the database says unfinished, the job says completed.
      const [first] = jobs;
      if (!first) throw new Error("no job");
      const { transition } = await import("../pipeline/db/tokens");
      await transition(s.db(), {
        chainId: 31337,
        tokenId: first.tokenId,
        from: ["uploaded"],
        to: "detected",
        stage: "test",
      });
      expect(await recoverStages(p.ctx)).toMatchObject({ generate: 1, pin: 0 });
      expect((await s.until(first.tokenId, ["uploaded", "failed"])).status).toBe("uploaded");
    } finally {
      await workers.close();
    }
    // The re-run resumed the stored prediction.
    expect(s.replicate().counters.create).toBe(3);
  });
});
