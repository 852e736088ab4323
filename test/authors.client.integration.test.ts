/**
 * The GLISK web client's calls, replayed byte for byte against a real server (anvil, Redis, a fresh
 * database): the fixed messages it signs with wagmi (here viem local accounts, the same EIP-191
 * signatures), the JSON it posts and the fields it reads, with AUTHOR_LEGACY_MESSAGES on and off,
 * and the challenge flow beside it.
 */
import { getAddress } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getAuthor } from "../pipeline/db/authors";
import { transition } from "../pipeline/db/tokens";
import { anvilAccount } from "../scripts/lib/glisk";
import { postJson, refusal, signedChallenge } from "./helpers/authors";
import { mintDetected, startVariant, useServer, type Variant } from "./helpers/server";

const h = useServer({
  AUTHOR_LEGACY_MESSAGES: "true",
  PUBLIC_URL: "https://glisk.example",
  PUBLIC_CORS_ORIGINS: "https://app.example",
  API_RATE_LIMIT_PER_IP: "100000",
  API_RATE_LIMIT_PER_WALLET: "100000",
});
const author = anvilAccount(6);
const address = author.address; // wagmi hands the client an EIP-55 checksummed address
let strict: Variant;

beforeAll(async () => {
  strict = await startVariant(h(), { AUTHOR_LEGACY_MESSAGES: "false" });
});
afterAll(async () => strict?.close());

const api = (path: string, base = h().server.url) => `${base}/api/authors${path}`;
const legacyPrompt = async (promptText: string, wallet = author) => {
  const message = `Update GLISK prompt for wallet: ${wallet.address}`;
  const signature = await wallet.signMessage({ message });
  return { wallet_address: wallet.address, prompt_text: promptText, message, signature };
};

describe("the web client's calls with AUTHOR_LEGACY_MESSAGES on", () => {
  test("leaderboard, status, prompt with the fixed message, status again: the fields the client reads", async () => {
    expect(await (await fetch(api("/leaderboard"))).json()).toEqual([]);
    const before = await fetch(api(`/${address}`));
    expect(before.status).toBe(200);
    expect(await before.json()).toEqual({ has_prompt: false, twitter_handle: null, farcaster_handle: null });

    const saved = await postJson(api("/prompt"), await legacyPrompt("  a harbour of paper boats at dawn  "));
    expect(saved.status).toBe(200);
    expect(await saved.json()).toEqual({ success: true, has_prompt: true });
    expect((await getAuthor(h().ctx.db, address))?.prompt).toBe("a harbour of paper boats at dawn");

    for (const path of [address, address.toLowerCase(), `0x${address.slice(2).toUpperCase()}`]) {
      const status = (await (await fetch(api(`/${path}`))).json()) as Record<string, unknown>;
      expect(status, path).toEqual({ has_prompt: true, twitter_handle: null, farcaster_handle: null });
      expect(JSON.stringify(status)).not.toContain("harbour");
    }
  });

  test("a fixed message is replayable: the same request sets the prompt again, and /metrics counts it", async () => {
    const body = await legacyPrompt("a lantern festival on a frozen lake");
    for (let i = 0; i < 2; i++) expect((await postJson(api("/prompt"), body)).status).toBe(200);
    // Unprefixed hex, as the reference backend's tests send it, is accepted too.
    expect((await postJson(api("/prompt"), { ...body, signature: body.signature.slice(2) })).status).toBe(200);
    const metrics = await (await fetch(`${h().server.url}/metrics`)).text();
    expect(metrics).toMatch(/glisk_author_legacy_signatures_total\{action="prompt"\} [3-9]/);
  });

  test("a fixed message for another wallet, another action, or signed by another key is refused; nothing changes", async () => {
    const stranger = anvilAccount(7);
    const before = (await getAuthor(h().ctx.db, address))?.prompt;
    const cases: [unknown, string][] = [
      [{ ...(await legacyPrompt("x", stranger)), wallet_address: address }, "wrong_address"],
      [
        {
          ...(await legacyPrompt("x")),
          message: `Link X account for wallet: ${address}`,
          signature: await author.signMessage({ message: `Link X account for wallet: ${address}` }),
        },
        "wrong_action",
      ],
      [{ ...(await legacyPrompt("x")), signature: (await legacyPrompt("x", stranger)).signature }, "bad_signature"],
    ];
    for (const [body, code] of cases) {
      const refused = await refusal(await postJson(api("/prompt"), body));
      expect(refused).toMatchObject({ status: 400, code });
    }
    expect((await getAuthor(h().ctx.db, address))?.prompt).toBe(before);
    expect(await getAuthor(h().ctx.db, stranger.address)).toBeUndefined();
  });

  test("the signed-challenge flow works beside it", async () => {
    const promptText = "an observatory under a violet aurora";
    const signed = await signedChallenge(h().server.url, {
      wallet: address,
      action: "prompt",
      promptText,
      signer: author,
    });
    expect(signed.message).toMatch(/^glisk\.example wants you to sign in with your Ethereum account:\n/);
    const saved = await postJson(api("/prompt"), { wallet_address: address, prompt_text: promptText, ...signed });
    expect(saved.status).toBe(200);
    expect((await getAuthor(h().ctx.db, address))?.prompt).toBe(promptText);
  });
});

describe("the web client's reads", () => {
  test("tokens page newest first with total, in the client's status words; the 2 s poll; the leaderboard", async () => {
    const ids = await mintDetected(h(), { author: address, quantity: 4 });
    const other = anvilAccount(8).address;
    await mintDetected(h(), { author: other, quantity: 2 });
    const [first, second, third] = ids;
    if (!first || !second || !third) throw new Error("minted too few");
    const move = (tokenId: string, from: "detected" | "generating", to: "generating" | "generated" | "failed") =>
      transition(h().ctx.db, { chainId: 31337, tokenId, from: [from], to, stage: "test" });
    await move(first, "detected", "generating");
    await move(second, "detected", "generating");
    await move(second, "generating", "generated");
    await move(third, "detected", "failed");

    const page = (await (await fetch(api(`/${address}/tokens?offset=0&limit=20`))).json()) as {
      tokens: { token_id: number; status: string; created_at: string; image_url: string | null }[];
      total: number;
      offset: number;
      limit: number;
    };
    expect(page.total).toBe(4);
    expect(page).toMatchObject({ offset: 0, limit: 20 });
    expect(page.tokens.map((t) => t.token_id)).toEqual(ids.map(Number).reverse());
    const statusOf = Object.fromEntries(page.tokens.map((t) => [String(t.token_id), t.status]));
    expect([statusOf[first], statusOf[second], statusOf[third]]).toEqual(["generating", "uploading", "failed"]);
    expect(new Date(page.tokens[0]?.created_at ?? "").toISOString()).toBe(page.tokens[0]?.created_at);
    expect(page.tokens[0]).toMatchObject({ image_url: null, generation_attempts: 0, reveal_tx_hash: null });

    const second20 = (await (await fetch(api(`/${address}/tokens?offset=2&limit=2`))).json()) as typeof page;
    expect(second20.tokens.map((t) => t.token_id)).toEqual([Number(second), Number(first)]);
    const poll = (await (await fetch(api(`/${address.toLowerCase()}/tokens?limit=100`))).json()) as typeof page;
    expect(poll).toMatchObject({ total: 4, offset: 0, limit: 100 });

    const leaderboard = await (await fetch(api("/leaderboard"))).json();
    expect(leaderboard).toEqual([
      { author_address: address, total_tokens: 4 },
      { author_address: getAddress(other), total_tokens: 2 },
    ]);
  });

  test("an address that is not one reads as an author with nothing, as the client expects", async () => {
    expect(await (await fetch(api("/not-an-address"))).json()).toEqual({
      has_prompt: false,
      twitter_handle: null,
      farcaster_handle: null,
    });
    const tokens = await fetch(api("/0x1234/tokens?offset=0&limit=20"));
    expect(await tokens.json()).toEqual({ tokens: [], total: 0, offset: 0, limit: 20 });
  });
});

describe("with AUTHOR_LEGACY_MESSAGES off (the default)", () => {
  test("the fixed messages are refused with the reason in detail, and nothing is written", async () => {
    const writer = anvilAccount(9);
    const refused = await refusal(await postJson(api("/prompt", strict.server.url), await legacyPrompt("p", writer)));
    expect(refused).toMatchObject({ status: 400, code: "legacy_message_refused" });
    expect(refused.detail).toMatch(/POST \/api\/authors\/challenge/);
    expect(await getAuthor(h().ctx.db, writer.address)).toBeUndefined();
  });

  test("a signed challenge sets the prompt", async () => {
    const writer = anvilAccount(9);
    const promptText = "a greenhouse full of clockwork birds";
    const signed = await signedChallenge(strict.server.url, {
      wallet: writer.address,
      action: "prompt",
      promptText,
      signer: writer,
    });
    const body = { wallet_address: writer.address, prompt_text: promptText, ...signed };
    expect((await postJson(api("/prompt", strict.server.url), body)).status).toBe(200);
    expect((await getAuthor(h().ctx.db, writer.address))?.prompt).toBe(promptText);
  });
});
