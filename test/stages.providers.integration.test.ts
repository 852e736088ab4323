import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { type FakeOpenAi, startFakeOpenAi } from "../fakes/openai";
import { setAuthorPrompt } from "../pipeline/db/authors";
import { computeCid } from "../pipeline/providers/cid";
import { createLocalStore } from "../pipeline/providers/local-ipfs-store";
import { anvilAccount } from "../scripts/lib/glisk";
import { useStages } from "./helpers/stages";

const s = useStages();
const author = anvilAccount(6).address;
const PROMPT = "a quiet harbour in the rain";
let openai: FakeOpenAi;

beforeAll(async () => {
  openai = await startFakeOpenAi();
});
afterAll(async () => openai?.close());
beforeEach(async () => {
  s.replicate().reset();
  s.pinata().reset();
  openai.reset();
  await setAuthorPrompt(s.db(), { address: author, prompt: PROMPT });
});

describe("other image providers and the fallback provider", () => {
  const openaiEnv = () => ({
    IMAGE_PROVIDER: "openai",
    OPENAI_IMAGES_URL: openai.url,
    OPENAI_API_KEY: openai.apiKey,
    IPFS_PROVIDER: "local",
  });
  /** Replicate first, OpenAI after `after` transient failures. */
  const fallbackEnv = (after: string) => ({
    IMAGE_FALLBACK_PROVIDER: "openai",
    IMAGE_FALLBACK_AFTER_ATTEMPTS: after,
    OPENAI_IMAGES_URL: openai.url,
    OPENAI_API_KEY: openai.apiKey,
  });

  test("the OpenAI-compatible provider: b64_json image into the local store, metadata as CIDv0", async () => {
    const p = await s.start(openaiEnv());
    const { token } = await s.mintAndRun(p, author);
    expect(token.status).toBe("uploaded");
    expect(token.image_provider).toBe("openai");
    expect(openai.counters.byPrompt.get(PROMPT)).toBe(1);
    const store = createLocalStore(s.ipfsDir());
    const image = await store.get(token.image_cid ?? "");
    const metadata = await store.get(token.metadata_cid ?? "");
    if (!image || !metadata) throw new Error("objects missing from the local store");
    expect(token.image_cid).toBe(await computeCid(image, 1));
    expect(token.metadata_cid).toBe(await computeCid(metadata, 0));
    expect(JSON.parse(new TextDecoder().decode(metadata)).image).toBe(`ipfs://${token.image_cid}`);
    expect(s.pinata().counters.upload).toBe(0);
  });

  test("OpenAI's content_policy_violation regenerates once with FALLBACK_PROMPT", async () => {
    const p = await s.start(openaiEnv());
    openai.behaviour.refuse = (prompt) => prompt === PROMPT;
    const { token } = await s.mintAndRun(p, author);
    expect(token.status).toBe("uploaded");
    expect(token.prompt_kind).toBe("fallback");
    expect(openai.counters.generate).toBe(2);
  });

  test("a wrong OpenAI key fails permanently after one call", async () => {
    const p = await s.start({ ...openaiEnv(), OPENAI_API_KEY: "sk-wrong" });
    const { token } = await s.mintAndRun(p, author);
    expect(token.status).toBe("failed");
    expect(token.generate_error).toMatch(/HTTP 401/);
    expect(openai.counters.generate).toBe(1);
  });

  test("IMAGE_FALLBACK_PROVIDER takes over while the primary keeps failing transiently", async () => {
    const p = await s.start(fallbackEnv("2"));
    s.replicate().faults.push("create", { status: 503, times: 100 });
    const { token } = await s.mintAndRun(p, author);
    expect(token.status).toBe("uploaded");
    expect(token.image_provider).toBe("openai");
    expect(s.replicate().counters.create).toBe(2);
    expect(openai.counters.generate).toBe(1);
  });

  test("the fallback provider never replaces a primary that holds a prediction for the token", async () => {
    const p = await s.start(fallbackEnv("1"));
    s.replicate().behaviour.processingPolls = 3;
    s.replicate().faults.push("get", { status: 500, times: 12 });
    const { token } = await s.mintAndRun(p, author);
    expect(token.status).toBe("uploaded");
    expect(token.image_provider).toBe("replicate");
    expect(s.replicate().counters.create).toBe(1);
    expect(openai.counters.generate).toBe(0);
  });
});
