import { PinataSDK } from "pinata";
import Replicate from "replicate";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { computeCid } from "../pipeline/providers/cid";
import { startFakeFnames } from "./fname";
import { type FakePinata, startFakePinata } from "./pinata";
import { type FakeReplicate, FLUX_NSFW_ERROR, startFakeReplicate } from "./replicate";
import { startFakeX } from "./x";

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

describe("the X and fname fakes answer as the real services do", () => {
  test("X: a code is single use and bound to its PKCE verifier; users/me needs the bearer token", async () => {
    const x = await startFakeX({ clientId: "c", user: { id: "1", name: "N", username: "u" } });
    try {
      const authorize = new URL(x.authorizeUrl);
      authorize.search = new URLSearchParams({
        response_type: "code",
        client_id: "c",
        redirect_uri: "https://app.example/cb",
        scope: "tweet.read users.read",
        state: "s",
        code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        code_challenge_method: "S256",
      }).toString();
      const newCode = async () =>
        new URL((await fetch(authorize, { redirect: "manual" })).headers.get("location") ?? "").searchParams.get(
          "code",
        ) ?? "";
      const exchange = (code: string, verifier: string) =>
        fetch(x.tokenUrl, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            grant_type: "authorization_code",
            code,
            redirect_uri: "https://app.example/cb",
            code_verifier: verifier,
            client_id: "c",
          }),
        });
      const RFC7636_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
      const spent = await newCode();
      const wrong = await exchange(spent, "not-the-verifier");
      expect(wrong.status).toBe(400);
      expect(((await wrong.json()) as { error: string }).error).toBe("invalid_request");
      expect((await exchange(spent, RFC7636_VERIFIER)).status).toBe(400);
      const granted = await exchange(await newCode(), RFC7636_VERIFIER);
      expect(granted.status).toBe(200);
      const { access_token } = (await granted.json()) as { access_token: string };
      const user = await fetch(`${x.url}/2/users/me`, { headers: { authorization: `Bearer ${access_token}` } });
      expect(await user.json()).toEqual({ data: { id: "1", name: "N", username: "u" } });
      const me = await fetch(`${x.url}/2/users/me`);
      expect(me.status).toBe(401);
      expect(me.headers.get("content-type")).toBe("application/problem+json");
    } finally {
      await x.close();
    }
  });

  test("fnames: the current transfer by name and by fid; a burned name is gone", async () => {
    const fnames = await startFakeFnames();
    try {
      fnames.register("alice", 5);
      const byName = (await (await fetch(`${fnames.url}/transfers/current?name=alice`)).json()) as {
        transfer: { username: string; to: number };
      };
      expect(byName.transfer).toMatchObject({ username: "alice", to: 5 });
      expect((await fetch(`${fnames.url}/transfers/current?fid=5`)).status).toBe(200);
      expect((await fetch(`${fnames.url}/transfers/current?fid=x`)).status).toBe(400);
      fnames.register("alice", 0);
      expect(await (await fetch(`${fnames.url}/transfers/current?name=alice`)).json()).toEqual({
        error: "No transfer found",
      });
    } finally {
      await fnames.close();
    }
  });
});
