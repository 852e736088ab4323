/**
 * Who may set a prompt, with replay-proof challenges: an EOA, a deployed ERC-1271 smart wallet and a
 * not-yet-deployed ERC-6492 one all sign in; a signature by another key, a replayed, expired, altered
 * or misdirected challenge, or one for another prompt is refused with its reason, and nothing is written.
 */
import {
  type Address,
  createPublicClient,
  encodeFunctionData,
  http,
  type LocalAccount,
  serializeErc6492Signature,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { describe, expect, test } from "vitest";
import { getAuthor, setAuthorPrompt } from "../pipeline/db/authors";
import { createApp } from "../pipeline/server";
import { freePort } from "../scripts/lib/processes";
import { postJson, refusal, requestChallenge, signedChallenge } from "./helpers/authors";
import { startVariant, useServer } from "./helpers/server";
import { anvilClients, deployTestContract, readTestContract, testContracts } from "./helpers/test-contracts";

const h = useServer({
  PUBLIC_URL: "https://glisk.example",
  API_RATE_LIMIT_PER_IP: "100000",
  API_RATE_LIMIT_PER_WALLET: "100000",
});
const base = () => h().server.url;
const newAccount = () => privateKeyToAccount(generatePrivateKey());
const promptOf = async (wallet: Address) => (await getAuthor(h().ctx.db, wallet))?.prompt;

/** Signs a prompt challenge for `wallet` with `signer` and posts it as the web client would. */
async function setPrompt(p: { wallet: Address; signer: LocalAccount; promptText: string; url?: string }) {
  const signed = await signedChallenge(p.url ?? base(), {
    wallet: p.wallet,
    action: "prompt",
    promptText: p.promptText,
    signer: p.signer,
  });
  return postJson(`${p.url ?? base()}/api/authors/prompt`, {
    wallet_address: p.wallet,
    prompt_text: p.promptText,
    ...signed,
  });
}

describe("wallets that can sign in", () => {
  test("an EOA sets its prompt with a signed challenge: domain, chain, expiry and the prompt's sha256 in the message", async () => {
    const eoa = newAccount();
    const { message, expires_at } = await requestChallenge(base(), {
      wallet: eoa.address,
      action: "prompt",
      promptText: "a quiet pier",
    });
    expect(message).toMatch(/^glisk\.example wants you to sign in with your Ethereum account:\n0x[0-9a-fA-F]{40}\n/);
    expect(message).toContain("URI: https://glisk.example\nVersion: 1\nChain ID: 31337\nNonce: ");
    expect(message).toMatch(/Set my GLISK prompt to the text with sha256 [0-9a-f]{64}\./);
    expect(message).toContain(`Expiration Time: ${expires_at}`);
    const response = await setPrompt({ wallet: eoa.address, signer: eoa, promptText: "a quiet pier" });
    expect(response.status).toBe(200);
    expect(await promptOf(eoa.address)).toBe("a quiet pier");
  });

  test("a deployed ERC-1271 smart wallet sets its prompt with its owner's signature", async () => {
    const owner = newAccount();
    const wallet = await deployTestContract(h().rpcUrl, { name: "TestWallet1271", args: [owner.address] });
    const response = await setPrompt({ wallet, signer: owner, promptText: "a tidal clock" });
    expect(response.status).toBe(200);
    expect(await promptOf(wallet)).toBe("a tidal clock");
    // The owner's key alone does not make its own address the author.
    expect(await promptOf(owner.address)).toBeUndefined();
  });

  test("a counterfactual ERC-6492 wallet sets its prompt before it is deployed, and stays undeployed", async () => {
    const owner = newAccount();
    const factory = await deployTestContract(h().rpcUrl, { name: "TestWalletFactory" });
    const salt = `0x${"07".repeat(32)}` as const;
    const wallet = await readTestContract<Address>(h().rpcUrl, {
      name: "TestWalletFactory",
      address: factory,
      functionName: "walletAddress",
      args: [owner.address, salt],
    });
    const { message } = await requestChallenge(base(), { wallet, action: "prompt", promptText: "a paper comet" });
    const abi = testContracts().TestWalletFactory?.abi ?? [];
    const signature = serializeErc6492Signature({
      address: factory,
      data: encodeFunctionData({ abi, functionName: "deploy", args: [owner.address, salt] }),
      signature: await owner.signMessage({ message }),
    });
    const body = { wallet_address: wallet, prompt_text: "a paper comet", message, signature };
    expect((await postJson(`${base()}/api/authors/prompt`, body)).status).toBe(200);
    expect(await promptOf(wallet)).toBe("a paper comet");
    expect(await anvilClients(h().rpcUrl).wallet.getCode({ address: wallet })).toBeUndefined();
  });
});

describe("refusals change nothing", () => {
  test("a signature by another key is refused without spending the challenge; the right one then works once", async () => {
    const eoa = newAccount();
    const promptText = "an orchard of glass";
    const { message } = await requestChallenge(base(), { wallet: eoa.address, action: "prompt", promptText });
    const body = { wallet_address: eoa.address, prompt_text: promptText, message };
    const forged = await postJson(`${base()}/api/authors/prompt`, {
      ...body,
      signature: await newAccount().signMessage({ message }),
    });
    expect(await refusal(forged)).toMatchObject({ status: 400, code: "bad_signature" });
    expect(await promptOf(eoa.address)).toBeUndefined();
    const signed = { ...body, signature: await eoa.signMessage({ message }) };
    expect((await postJson(`${base()}/api/authors/prompt`, signed)).status).toBe(200);
    // Replayed: the nonce is spent.
    await setAuthorPrompt(h().ctx.db, { address: eoa.address, prompt: "changed since" });
    expect(await refusal(await postJson(`${base()}/api/authors/prompt`, signed))).toMatchObject({
      status: 400,
      code: "unknown_challenge",
    });
    expect(await promptOf(eoa.address)).toBe("changed since");
  });

  test("concurrent submissions of one signed challenge: exactly one is accepted", async () => {
    const eoa = newAccount();
    const signed = await signedChallenge(base(), {
      wallet: eoa.address,
      action: "prompt",
      promptText: "p",
      signer: eoa,
    });
    const body = { wallet_address: eoa.address, prompt_text: "p", ...signed };
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => postJson(`${base()}/api/authors/prompt`, body)),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 400, 400, 400, 400, 400]);
  });

  test("an altered challenge (domain, URI, chain, appended text), another prompt, another action or wallet: each refused with its reason", async () => {
    const eoa = newAccount();
    const promptText = "a lighthouse keeper's garden";
    const { message } = await requestChallenge(base(), { wallet: eoa.address, action: "prompt", promptText });
    const other = newAccount();
    const post = async (p: { message: string; wallet?: Address; text?: string; signer?: LocalAccount }) => {
      const signature = await (p.signer ?? eoa).signMessage({ message: p.message });
      const body = {
        wallet_address: p.wallet ?? eoa.address,
        prompt_text: p.text ?? promptText,
        message: p.message,
        signature,
      };
      return refusal(await postJson(`${base()}/api/authors/prompt`, body));
    };
    const cases: [Parameters<typeof post>[0], string][] = [
      [{ message: message.replace(/^glisk\.example/, "evil.example") }, "wrong_domain"],
      [{ message: message.replace("URI: https://glisk.example", "URI: https://evil.example") }, "wrong_domain"],
      [{ message: message.replace("Chain ID: 31337", "Chain ID: 8453") }, "wrong_chain"],
      [{ message: `${message}\nResources:\n- https://evil.example` }, "message_mismatch"],
      [{ message, text: "another prompt" }, "prompt_mismatch"],
      [{ message, wallet: other.address, signer: other }, "wrong_address"],
      [{ message: message.replace(/Nonce: \w+/, "Nonce: 0123456789abcdef0123456789abcdef") }, "unknown_challenge"],
    ];
    for (const [p, code] of cases) expect((await post(p)).code, code).toBe(code);
    const x = await requestChallenge(base(), { wallet: eoa.address, action: "x" });
    expect((await post({ message: x.message })).code).toBe("wrong_action");
    expect(await promptOf(eoa.address)).toBeUndefined();
    expect(await promptOf(other.address)).toBeUndefined();
    // None of the refusals spent the challenge: signed as issued, it is accepted.
    const body = {
      wallet_address: eoa.address,
      prompt_text: promptText,
      message,
      signature: await eoa.signMessage({ message }),
    };
    expect((await postJson(`${base()}/api/authors/prompt`, body)).status).toBe(200);
    expect(await promptOf(eoa.address)).toBe(promptText);
  });

  test("an expired challenge is refused", async () => {
    const shortLived = await startVariant(h(), { AUTHOR_CHALLENGE_TTL_SECONDS: "1" });
    try {
      const eoa = newAccount();
      const signed = await signedChallenge(shortLived.server.url, {
        wallet: eoa.address,
        action: "prompt",
        promptText: "late",
        signer: eoa,
      });
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      const body = { wallet_address: eoa.address, prompt_text: "late", ...signed };
      expect(await refusal(await postJson(`${shortLived.server.url}/api/authors/prompt`, body))).toMatchObject({
        status: 400,
        code: "expired",
      });
      expect(await promptOf(eoa.address)).toBeUndefined();
    } finally {
      await shortLived.close();
    }
  });

  test("with the chain unreachable a smart wallet gets 503 (not 'bad signature'), an EOA still signs in", async () => {
    const owner = newAccount();
    const wallet = await deployTestContract(h().rpcUrl, { name: "TestWallet1271", args: [owner.address] });
    const dead = createPublicClient({
      chain: foundry,
      transport: http(`http://127.0.0.1:${await freePort()}`, { retryCount: 0 }),
    });
    const app = createApp({ ...h().ctx, chain: dead });
    const submit = async (address: Address, signer: LocalAccount) => {
      const signed = await signedChallenge(base(), {
        wallet: address,
        action: "prompt",
        promptText: "offline",
        signer,
      });
      const body = JSON.stringify({ wallet_address: address, prompt_text: "offline", ...signed });
      return app.request("/api/authors/prompt", {
        method: "POST",
        body,
        headers: { "content-type": "application/json" },
      });
    };
    expect(await refusal(await submit(wallet, owner))).toMatchObject({ status: 503, code: "rpc_unavailable" });
    expect(await promptOf(wallet)).toBeUndefined();
    const eoa = newAccount();
    expect((await submit(eoa.address, eoa)).status).toBe(200);
  });
});
