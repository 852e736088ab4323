/**
 * Linking an X account, start to finish against a fake X that speaks X's OAuth 2.0 wire format
 * (fakes/x.ts): the wallet signs, the browser goes to X and back, the callback exchanges the code
 * with its PKCE verifier and stores the username. Every failure redirects to the web client with a code.
 */
import { createHash } from "node:crypto";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type FakeX, startFakeX } from "../fakes/x";
import { getAuthor } from "../pipeline/db/authors";
import { postJson, refusal, signedChallenge } from "./helpers/authors";
import { startVariant, useServer } from "./helpers/server";

const CLIENT = { clientId: "glisk-x-client", secret: "glisk-x-client-secret" };
const REDIRECT = "https://glisk.example/api/authors/x/callback";
let x: FakeX;
let publicX: FakeX;
beforeAll(async () => {
  x = await startFakeX({
    ...CLIENT,
    user: { id: "1500000000000000001", name: "Glisk Author", username: "glisk_author" },
  });
  publicX = await startFakeX({
    clientId: "glisk-public",
    user: { id: "42", name: "Public", username: "public_author" },
  });
});
afterAll(async () => {
  await x?.close();
  await publicX?.close();
});

const xEnv = (fake: FakeX) => ({
  X_AUTHORIZE_URL: fake.authorizeUrl,
  X_TOKEN_URL: fake.tokenUrl,
  X_API_URL: fake.url,
});
const h = useServer(() => ({
  FRONTEND_URL: "https://glisk.example",
  X_CLIENT_ID: CLIENT.clientId,
  X_CLIENT_SECRET: CLIENT.secret,
  X_REDIRECT_URI: REDIRECT,
  ...xEnv(x),
  API_RATE_LIMIT_PER_IP: "100000",
  API_RATE_LIMIT_PER_WALLET: "100000",
}));

/** Signs an `x` challenge and starts linking on the server at `base`; resolves with the authorization URL. */
async function start(wallet = privateKeyToAccount(generatePrivateKey()), base = h().server.url) {
  const signed = await signedChallenge(base, { wallet: wallet.address, action: "x", signer: wallet });
  const response = await postJson(`${base}/api/authors/x/auth/start`, { wallet_address: wallet.address, ...signed });
  expect(response.status).toBe(200);
  const { authorization_url } = (await response.json()) as { authorization_url: string };
  return { wallet, url: new URL(authorization_url) };
}

/** The browser at X: X's redirect back to our callback (its query). */
async function atX(url: URL): Promise<string> {
  const response = await fetch(url, { redirect: "manual" });
  expect(response.status).toBe(302);
  const back = new URL(response.headers.get("location") ?? "");
  expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
  return back.search;
}

/** Our callback with `search`: where it sends the browser, as query parameters. */
async function callback(search: string, base = h().server.url): Promise<URLSearchParams> {
  const response = await fetch(`${base}/api/authors/x/callback${search}`, { redirect: "manual" });
  expect(response.status).toBe(302);
  const to = new URL(response.headers.get("location") ?? "");
  expect(`${to.origin}${to.pathname}`).toBe("https://glisk.example/profile");
  expect(to.searchParams.get("tab")).toBe("author");
  return to.searchParams;
}

describe("linking X", () => {
  test("start → X → callback stores the username; the token request carries PKCE and Basic client auth", async () => {
    const { wallet, url } = await start();
    expect(`${url.origin}${url.pathname}`).toBe(x.authorizeUrl);
    const q = url.searchParams;
    expect(Object.fromEntries(q)).toMatchObject({
      response_type: "code",
      client_id: CLIENT.clientId,
      redirect_uri: REDIRECT,
      scope: "tweet.read users.read",
      code_challenge_method: "S256",
    });
    expect(q.get("state")).toMatch(/^[\w-]{43}$/);
    const outcome = await callback(await atX(url));
    expect(Object.fromEntries(outcome)).toEqual({ tab: "author", x_linked: "true", username: "glisk_author" });
    const token = x.requests.token.at(-1);
    expect(token?.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
    expect(token?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.secret}`).toString("base64")}`,
    );
    const verifier = token?.form.get("code_verifier") ?? "";
    expect(createHash("sha256").update(verifier).digest("base64url")).toBe(q.get("code_challenge"));
    expect(token?.form.get("grant_type")).toBe("authorization_code");
    expect(await getAuthor(h().ctx.db, wallet.address)).toMatchObject({
      x_handle: "glisk_author",
      x_user_id: "1500000000000000001",
      prompt: null,
    });
    const status = await (await fetch(`${h().server.url}/api/authors/${wallet.address}`)).json();
    expect(status).toEqual({ has_prompt: false, twitter_handle: "glisk_author", farcaster_handle: null });
  });

  test("re-linking replaces the handle", async () => {
    const wallet = privateKeyToAccount(generatePrivateKey());
    await callback(await atX((await start(wallet)).url));
    x.behaviour.user = { id: "1500000000000000002", name: "Renamed", username: "renamed_author" };
    try {
      await callback(await atX((await start(wallet)).url));
    } finally {
      x.behaviour.user = { id: "1500000000000000001", name: "Glisk Author", username: "glisk_author" };
    }
    expect((await getAuthor(h().ctx.db, wallet.address))?.x_handle).toBe("renamed_author");
  });

  test("a replayed or unknown state, a denial, missing parameters and a failed exchange redirect with their code", async () => {
    const { wallet, url } = await start();
    const back = await atX(url);
    expect((await callback(back)).get("x_linked")).toBe("true");
    const replayed = await callback(back);
    expect(Object.fromEntries(replayed)).toEqual({ tab: "author", x_linked: "false", error: "state_mismatch" });
    const forged = new URLSearchParams(back);
    forged.set("state", "A".repeat(43));
    expect((await callback(`?${forged}`)).get("error")).toBe("state_mismatch");
    expect((await callback("?state=abc")).get("error")).toBe("missing_params");

    x.behaviour.deny = true;
    try {
      expect((await callback(await atX((await start()).url))).get("error")).toBe("access_denied");
    } finally {
      x.behaviour.deny = false;
    }
    const stranger = privateKeyToAccount(generatePrivateKey());
    const pending = await atX((await start(stranger)).url);
    x.faults.push("token", { status: 400 });
    expect((await callback(pending)).get("error")).toBe("exchange_failed");
    expect(await getAuthor(h().ctx.db, stranger.address)).toBeUndefined();
    expect((await getAuthor(h().ctx.db, wallet.address))?.x_handle).toBe("glisk_author");
  });

  test("a state older than AUTHOR_CHALLENGE_TTL_SECONDS is refused", async () => {
    const variant = await startVariant(h(), { AUTHOR_CHALLENGE_TTL_SECONDS: "1" });
    try {
      const { wallet, url } = await start(undefined, variant.server.url);
      const back = await atX(url);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect((await callback(back, variant.server.url)).get("error")).toBe("state_mismatch");
      expect(await getAuthor(h().ctx.db, wallet.address)).toBeUndefined();
    } finally {
      await variant.close();
    }
  });

  test("a public client (no secret) sends client_id in the form and no Basic header; the web client's fixed message works with legacy on", async () => {
    const variant = await startVariant(h(), {
      X_CLIENT_ID: "glisk-public",
      X_CLIENT_SECRET: "",
      ...xEnv(publicX),
      AUTHOR_LEGACY_MESSAGES: "true",
    });
    try {
      const wallet = privateKeyToAccount(generatePrivateKey());
      const message = `Link X account for wallet: ${wallet.address}`;
      const body = { wallet_address: wallet.address, message, signature: await wallet.signMessage({ message }) };
      const response = await postJson(`${variant.server.url}/api/authors/x/auth/start`, body);
      const { authorization_url } = (await response.json()) as { authorization_url: string };
      const outcome = await callback(await atX(new URL(authorization_url)), variant.server.url);
      expect(outcome.get("username")).toBe("public_author");
      const token = publicX.requests.token.at(-1);
      expect(token?.headers.authorization).toBeUndefined();
      expect(token?.form.get("client_id")).toBe("glisk-public");
    } finally {
      await variant.close();
    }
  });

  test("without X_CLIENT_ID the start answers 503 x_not_configured", async () => {
    const variant = await startVariant(h(), { X_CLIENT_ID: "", X_CLIENT_SECRET: "" });
    try {
      const wallet = privateKeyToAccount(generatePrivateKey());
      const signed = await signedChallenge(variant.server.url, { wallet: wallet.address, action: "x", signer: wallet });
      const response = await postJson(`${variant.server.url}/api/authors/x/auth/start`, {
        wallet_address: wallet.address,
        ...signed,
      });
      expect(await refusal(response)).toMatchObject({ status: 503, code: "x_not_configured" });
    } finally {
      await variant.close();
    }
  });
});
