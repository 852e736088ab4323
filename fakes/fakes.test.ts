import { PinataSDK } from "pinata";
import Replicate from "replicate";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { computeCid } from "../pipeline/providers/cid";
import { type FakePinata, startFakePinata } from "./pinata";
import { type FakeReplicate, FLUX_NSFW_ERROR, startFakeReplicate } from "./replicate";

let replicate: FakeReplicate;
let pinata: FakePinata;
beforeAll(async () => {
  replicate = await startFakeReplicate();
  pinata = await startFakePinata();
});
afterAll(async () => {
  await replicate?.close();
  await pinata?.close();
});

describe("the fakes speak the wire formats the real SDKs expect", () => {
  test("Replicate: Prefer: wait returns a finished prediction with an output URL served by the fake", async () => {
    const client = new Replicate({ auth: replicate.token, baseUrl: replicate.url });
    const p = await client.predictions.create({
      model: "black-forest-labs/flux-schnell",
      input: { prompt: "x" },
      wait: 5,
    });
    expect(p.status).toBe("succeeded");
    const output = (p.output as string[])[0] ?? "";
    const image = await fetch(output);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect((await client.predictions.get(p.id)).status).toBe("succeeded");
  });

  test("Replicate: NSFW as a failed prediction, 401 as an ApiError", async () => {
    replicate.behaviour.nsfw = () => true;
    const client = new Replicate({ auth: replicate.token, baseUrl: replicate.url });
    const p = await client.predictions.create({
      model: "black-forest-labs/flux-schnell",
      input: { prompt: "y" },
      wait: 5,
    });
    expect(p.status).toBe("failed");
    expect(p.error).toBe(FLUX_NSFW_ERROR);
    replicate.reset();
    const wrong = new Replicate({ auth: "r8_wrong", baseUrl: replicate.url });
    const error = await wrong.predictions.get(p.id).catch((e) => e);
    expect(error.name).toBe("ApiError");
    expect(error.response.status).toBe(401);
  });

  test("Replicate: past the create rate limit, 429 'Request was throttled' with Retry-After, and no prediction", async () => {
    replicate.reset();
    replicate.behaviour.createsPerMinute = 60;
    replicate.behaviour.createBurst = 2;
    const create = () =>
      fetch(`${replicate.url}/models/black-forest-labs/flux-schnell/predictions`, {
        method: "POST",
        headers: { authorization: `Bearer ${replicate.token}`, "content-type": "application/json" },
        body: JSON.stringify({ input: { prompt: "z" } }),
      });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await create()).status);
    expect(statuses).toEqual([201, 201, 429]);
    const throttled = await create();
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("1");
    expect(await throttled.json()).toMatchObject({ status: 429, title: "Request was throttled." });
    expect(replicate.counters).toMatchObject({ create: 4, created: 2, throttled: 2 });
    expect(replicate.predictions.size).toBe(2);
    replicate.reset();
  });

  test("Pinata: uploads answer with the real CID of the bytes, v0 or v1", async () => {
    const sdk = new PinataSDK({ pinataJwt: pinata.jwt, uploadUrl: pinata.uploadUrl });
    const bytes = new TextEncoder().encode('{"name":"x"}');
    const v1 = await sdk.upload.public.file(new File([bytes], "a.json", { type: "application/json" }));
    const v0 = await sdk.upload.public.file(new File([bytes], "a.json", { type: "application/json" })).cidVersion("v0");
    expect(v1.cid).toBe(await computeCid(bytes, 1));
    expect(v0.cid).toBe(await computeCid(bytes, 0));
    expect(v0.cid.startsWith("Qm")).toBe(true);
    const upload = new PinataSDK({ pinataJwt: "nope", uploadUrl: pinata.uploadUrl }).upload.public.file(
      new File([bytes], "a.json"),
    );
    const denied = await upload.then(
      () => undefined,
      (e: { statusCode?: number }) => e,
    );
    expect(denied?.statusCode).toBe(401);
  });
});
