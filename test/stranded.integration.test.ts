/**
 * No token is stranded (invariant 8): a token minted with author address(0) is made from
 * DEFAULT_PROMPT and revealed; the pipeline's database belongs to one deployment and refuses another;
 * a job of another contract never touches this one's tokens; every skipped job says why, in the log
 * and in the token's history.
 */
import { Writable } from "node:stream";
import { type Address, zeroAddress } from "viem";
import { describe, expect, test } from "vitest";
import { GliskNFTAbi } from "../abis/GliskNFTAbi";
import { generateJobId } from "../common/jobs";
import { createLogger } from "../common/logger";
import { parseConfig } from "../pipeline/config";
import { createContext } from "../pipeline/context";
import { setAuthorPrompt } from "../pipeline/db/authors";
import { DeploymentMismatchError } from "../pipeline/db/deployment";
import { getToken, tokenHistory } from "../pipeline/db/token-queries";
import { createApp } from "../pipeline/server";
import { startRevealWorker } from "../pipeline/workers";
import { anvilAccount, anvilKey, deployGlisk, localClients, waitFor } from "../scripts/lib/glisk";
import { useStages } from "./helpers/stages";

const s = useStages();
const DEFAULT_PROMPT = "a quiet harbour at dawn, watercolour";
const author = anvilAccount(3).address;
const TOKEN = "stranded-admin-token-0123456789";

/** The operations app's admin API, as `glisk` calls it. */
const adminApi = (ctx: Parameters<typeof createApp>[0]) => {
  const app = createApp(ctx);
  return (path: string, init: { method?: string; body?: unknown } = {}) =>
    app.request(`/admin${path}`, {
      method: init.method ?? "GET",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
};

/** A logger whose JSON lines land in `lines`. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger({ level: "info", destination }) };
}

describe("a token minted without an author (address 0)", () => {
  test("is generated from DEFAULT_PROMPT, pinned and revealed on-chain, and operators can see and reveal it", async () => {
    // A prompt stored for the zero address (an operator mistake) must not be used: nobody owns it.
    await s.db().insertInto("authors").values({ address: zeroAddress, prompt: "never used" }).execute();
    const p = await s.start({
      DEFAULT_PROMPT,
      KEEPER_PRIVATE_KEY: anvilKey(1),
      REVEAL_CONFIRMATIONS: "0",
      BATCH_REVEAL_WAIT_SECONDS: "0",
      ADMIN_API_TOKEN: TOKEN,
    });
    const reveal = await startRevealWorker(p.ctx, { sweepMs: 3_600_000 });
    try {
      const jobs = await s.mintJobs(zeroAddress, 2);
      await s.enqueue(p, jobs);
      for (const job of jobs) {
        const token = await s.until(job.tokenId, ["revealed", "failed"], 45_000);
        expect(token.status).toBe("revealed");
        const uri = await localClients(s.anvil().url).publicClient.readContract({
          address: s.contract(),
          abi: GliskNFTAbi,
          functionName: "tokenURI",
          args: [BigInt(job.tokenId)],
        });
        expect(uri).toBe(`ipfs://${token.metadata_cid}`);
      }
      expect(s.replicate().counters.createByPrompt.get(DEFAULT_PROMPT)).toBe(2);
      expect(s.replicate().counters.createByPrompt.has("never used")).toBe(false);

      const admin = adminApi(p.ctx);
      const id = jobs[0]?.tokenId;
      const detail = (await (await admin(`/tokens/${id}`)).json()) as {
        chain: { exists: boolean; promptAuthor: string };
        pipeline: { status: string };
      };
      expect(detail.chain).toMatchObject({ exists: true, promptAuthor: zeroAddress });
      expect(detail.pipeline.status).toBe("revealed");
      const manual = await admin("/reveal", { method: "POST", body: { tokenIds: [id] } });
      expect(manual.status).toBe(202);
    } finally {
      await reveal.close();
      await s.db().deleteFrom("authors").where("address", "=", zeroAddress).execute();
    }
  }, 90_000);

  test("the admin API refuses a prompt for the zero address", async () => {
    const p = await s.start({ ADMIN_API_TOKEN: TOKEN });
    const response = await adminApi(p.ctx)(`/authors/${zeroAddress}`, {
      method: "PUT",
      body: { prompt: "a prompt for nobody" },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("invalid_author");
    expect(await s.db().selectFrom("authors").where("address", "=", zeroAddress).selectAll().execute()).toEqual([]);
  });
});

describe("one deployment per database", () => {
  test("a pipeline configured for another contract is refused with what to change, and nothing is written", async () => {
    await s.start(); // claims the database for the first contract
    const other = await deployGlisk({ rpcUrl: s.anvil().url, keeper: anvilAccount(1).address });
    const before = await s.db().selectFrom("deployment").selectAll().execute();
    const config = parseConfig(s.env({ GLISK_CONTRACT_ADDRESS: other.address, GLISK_START_BLOCK: "0" }));
    const refused = createContext(config, { db: s.db(), logger: createLogger({ level: "silent" }) });
    await expect(refused).rejects.toBeInstanceOf(DeploymentMismatchError);
    await expect(refused).rejects.toThrow(s.contract().toLowerCase());
    await expect(refused).rejects.toThrow(/DATABASE_URL .*PIPELINE_DATA_DIR/);
    expect(await s.db().selectFrom("deployment").selectAll().execute()).toEqual(before);
  });

  test("a generate job of another contract fails with its reason and leaves this contract's token alone", async () => {
    const p = await s.start({ IMAGE_PROVIDER: "local", IPFS_PROVIDER: "local" });
    const { job: ours, token } = await s.mintAndRun(p, author);
    const foreign = { ...ours, contract: `0x${"ab".repeat(20)}` as Address, mintTxHash: `0x${"cd".repeat(32)}` };
    await s.enqueue(p, [foreign]);
    const queue = p.ctx.queues.generate;
    const id = generateJobId(foreign);
    await waitFor(async () => (await queue.getJobState(id)) === "failed", { message: "the foreign job to fail" });
    const failed = await queue.getJob(id);
    expect(failed?.failedReason).toMatch(/job for contract 0x[aA][bB]/);
    expect(await getToken(s.db(), { chainId: 31337, tokenId: ours.tokenId })).toEqual(token);
  });
});

describe("skipped jobs", () => {
  test("a replayed generate job and a pin job of a token without a row log why and write a history entry", async () => {
    const { lines, logger } = capturingLogger();
    const p = await s.start({ IMAGE_PROVIDER: "local", IPFS_PROVIDER: "local" }, logger);
    await setAuthorPrompt(s.db(), { address: author, prompt: "a lighthouse in the fog" });
    const { job } = await s.mintAndRun(p, author);
    await p.ctx.queues.generate.obliterate({ force: true });
    await s.enqueue(p, [job]);
    const key = { chainId: 31337, tokenId: job.tokenId };
    const skipped = await waitFor(async () =>
      (await tokenHistory(s.db(), key)).find((e) => e.reason?.startsWith("skipped")),
    );
    expect(skipped).toMatchObject({
      from_status: "uploaded",
      to_status: null,
      stage: "generate",
      reason: "skipped: nothing to generate: token is uploaded",
      job_id: generateJobId(job),
    });
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: "generate job skipped", reason: "nothing to generate: token is uploaded" }),
    );

    const unknownId = "987654";
    const pinData = { chainId: 31337, tokenId: unknownId, mintTxHash: job.mintTxHash };
    await p.ctx.queues.pin.add("pin", pinData, { jobId: `pin-31337-${unknownId}-${job.mintTxHash}` });
    const history = await waitFor(async () => {
      const events = await tokenHistory(s.db(), { chainId: 31337, tokenId: unknownId });
      return events.length > 0 ? events : undefined;
    });
    expect(history).toMatchObject([
      { from_status: null, to_status: null, stage: "pin", reason: "skipped: the pipeline has no row for this token" },
    ]);
    expect(lines).toContainEqual(expect.objectContaining({ msg: "pin job skipped", tokenId: unknownId }));
  });
});
