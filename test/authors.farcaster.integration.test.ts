/**
 * Linking a Farcaster account by Sign In With Farcaster, checked for real: Farcaster's IdRegistry is
 * installed on the local chain (FARCASTER_RPC_URL points at it), the SIWF messages come from
 * @farcaster/auth-client's own builder, and a fake fname server says who owns a username. Then a
 * token minted for the author carries both linked handles in its pinned metadata.
 */
import { createWalletClient as createFarcasterWallet, viemConnector } from "@farcaster/auth-client";
import type { Address, LocalAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateJobId, stageJobOptions } from "../common/jobs";
import { type FakeFnames, startFakeFnames } from "../fakes/fname";
import { getAuthor, linkXAccount } from "../pipeline/db/authors";
import { getToken } from "../pipeline/db/token-queries";
import { startStageWorkers } from "../pipeline/workers";
import { anvilAccount, mint, waitFor } from "../scripts/lib/glisk";
import { postJson, refusal, signedChallenge } from "./helpers/authors";
import { startVariant, useServer } from "./helpers/server";
import { callTestContract, installTestContract } from "./helpers/test-contracts";

const ID_REGISTRY: Address = "0x00000000Fc6c5F01Fc30151999387Bb99A9f489b";
const FID = 4242;
let fnames: FakeFnames;
beforeAll(async () => {
  fnames = await startFakeFnames();
  fnames.register("glisk", FID);
  fnames.register("someone", 777);
});
afterAll(async () => fnames?.close());

const h = useServer(({ rpcUrl }) => ({
  FRONTEND_URL: "https://glisk.example",
  FARCASTER_RPC_URL: rpcUrl,
  FNAME_SERVER_URL: fnames.url,
  API_RATE_LIMIT_PER_IP: "100000",
  API_RATE_LIMIT_PER_WALLET: "100000",
}));
const custody = privateKeyToAccount(generatePrivateKey());
beforeAll(async () => {
  await installTestContract(h().rpcUrl, { name: "FarcasterIdRegistry", address: ID_REGISTRY });
  const register = { name: "FarcasterIdRegistry", address: ID_REGISTRY, functionName: "register" };
  await callTestContract(h().rpcUrl, { ...register, args: [BigInt(FID), custody.address] });
  await callTestContract(h().rpcUrl, { ...register, args: [777n, privateKeyToAccount(generatePrivateKey()).address] });
});

let nonceCounter = 0;
/** A SIWF message from auth-client's builder, as a Farcaster client makes it, signed by `signer`. */
async function siwf(p: { signer?: LocalAccount; fid?: number; domain?: string } = {}) {
  const signer = p.signer ?? custody;
  const wallet = createFarcasterWallet({ ethereum: viemConnector({ rpcUrl: h().rpcUrl }) });
  const built = wallet.buildSignInMessage({
    address: signer.address,
    fid: p.fid ?? FID,
    uri: "https://glisk.example",
    domain: p.domain ?? "glisk.example",
    nonce: `relaynonce${Date.now()}${nonceCounter++}`,
  });
  if (built.isError || !built.message) throw new Error("auth-client could not build the message");
  return {
    farcaster_message: built.message,
    farcaster_signature: await signer.signMessage({ message: built.message }),
  };
}

/** The body of a link request: the author's wallet signs a `farcaster` challenge on `base`. */
async function linkBody(
  author: LocalAccount,
  farcaster: Awaited<ReturnType<typeof siwf>>,
  extra = {},
  base = h().server.url,
) {
  const signed = await signedChallenge(base, { wallet: author.address, action: "farcaster", signer: author });
  return {
    wallet_address: author.address,
    wallet_message: signed.message,
    wallet_signature: signed.signature,
    ...farcaster,
    fid: FID,
    username: "glisk",
    ...extra,
  };
}

const link = (body: unknown, base = h().server.url) => postJson(`${base}/api/authors/farcaster/link`, body);

describe("linking Farcaster", () => {
  test("a custody-signed SIWF with a username the fid owns links; replaying the SIWF is refused", async () => {
    const author = anvilAccount(12);
    const farcaster = await siwf();
    const response = await link(await linkBody(author, farcaster));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ success: true, username: "glisk", fid: FID });
    expect(await getAuthor(h().ctx.db, author.address)).toMatchObject({
      farcaster_handle: "glisk",
      farcaster_fid: FID,
    });
    const status = await (await fetch(`${h().server.url}/api/authors/${author.address}`)).json();
    expect(status).toMatchObject({ farcaster_handle: "glisk" });

    const replay = await link(await linkBody(anvilAccount(13), farcaster));
    expect(await refusal(replay)).toMatchObject({ status: 400, code: "farcaster_message_used" });
    expect(await getAuthor(h().ctx.db, anvilAccount(13).address)).toBeUndefined();
  });

  test("someone else's username, a signer that is not the custody address, another fid or domain: refused, nothing written", async () => {
    const author = privateKeyToAccount(generatePrivateKey());
    const stranger = privateKeyToAccount(generatePrivateKey());
    const cases: [Promise<unknown>, string][] = [
      [linkBody(author, await siwf(), { username: "someone" }), "username_not_owned"],
      [linkBody(author, await siwf(), { username: "nobody-here" }), "unknown_username"],
      [linkBody(author, await siwf(), { username: "vitalik.eth" }), "invalid_username"],
      [linkBody(author, await siwf({ signer: stranger })), "farcaster_signature_invalid"],
      [linkBody(author, await siwf({ domain: "evil.example" })), "farcaster_signature_invalid"],
      [linkBody(author, await siwf(), { fid: 777 }), "fid_mismatch"],
    ];
    for (const [body, code] of cases) {
      const refused = await refusal(await link(await body));
      expect(refused, code).toMatchObject({ status: 400, code });
    }
    const notCustody = await refusal(await link(await linkBody(author, await siwf({ signer: stranger }))));
    expect(notCustody.detail).toMatch(/does not own fid 4242/);
    expect(await getAuthor(h().ctx.db, author.address)).toBeUndefined();
  });

  test("the fname registry down is a 503; the wallet's challenge is not spent", async () => {
    const author = privateKeyToAccount(generatePrivateKey());
    const body = await linkBody(author, await siwf());
    fnames.behaviour.down = true;
    try {
      expect(await refusal(await link(body))).toMatchObject({ status: 503, code: "fname_unavailable" });
    } finally {
      fnames.behaviour.down = false;
    }
    expect((await link(body)).status).toBe(200);
  });

  test("the web client's fixed message links with AUTHOR_LEGACY_MESSAGES; without FARCASTER_RPC_URL the route answers 503", async () => {
    const legacy = await startVariant(h(), { AUTHOR_LEGACY_MESSAGES: "true" });
    const unconfigured = await startVariant(h(), { FARCASTER_RPC_URL: "" });
    try {
      const author = privateKeyToAccount(generatePrivateKey());
      const message = `Link Farcaster account for wallet: ${author.address}`;
      const body = {
        wallet_address: author.address,
        wallet_message: message,
        wallet_signature: await author.signMessage({ message }),
        ...(await siwf()),
        fid: FID,
        username: "glisk",
      };
      expect((await link(body, legacy.server.url)).status).toBe(200);
      expect(await refusal(await link(body, unconfigured.server.url))).toMatchObject({
        status: 503,
        code: "farcaster_not_configured",
      });
    } finally {
      await legacy.close();
      await unconfigured.close();
    }
  });
});

describe("handles in metadata", () => {
  test("a token minted after the handles are linked carries them in its pinned metadata", async () => {
    const author = anvilAccount(14);
    expect((await link(await linkBody(author, await siwf()))).status).toBe(200);
    await linkXAccount(h().ctx.db, { address: author.address, handle: "glisk_author", userId: "1" });
    const minted = await mint({ rpcUrl: h().rpcUrl, address: h().contract, author: author.address, quantity: 1 });
    const tokenId = String(minted.tokenIds[0]);
    const workers = startStageWorkers(h().ctx);
    try {
      const data = {
        chainId: 31337,
        contract: h().contract,
        tokenId,
        promptAuthor: author.address,
        minter: anvilAccount(2).address,
        mintTxHash: minted.txHash,
        mintBlockNumber: minted.blockNumber.toString(),
      };
      await h().ctx.queues.generate.add("generate", data, { ...stageJobOptions(3, 50), jobId: generateJobId(data) });
      const token = await waitFor(
        async () => {
          const t = await getToken(h().ctx.db, { chainId: 31337, tokenId });
          return t?.status === "uploaded" ? t : undefined;
        },
        { message: `token ${tokenId} to be uploaded` },
      );
      const metadata = (await (await fetch(`${h().server.url}/ipfs/${token.metadata_cid}`)).json()) as {
        attributes: { trait_type: string; value: unknown }[];
      };
      expect(metadata.attributes).toEqual([
        { trait_type: "Prompt Author", value: author.address },
        { trait_type: "Author X Handle", value: "@glisk_author" },
        { trait_type: "Author Farcaster Handle", value: "@glisk" },
        { trait_type: "Season", value: 0 },
      ]);
      const page = (await (await fetch(`${h().server.url}/api/authors/${author.address}/tokens`)).json()) as {
        tokens: { token_id: number; status: string; image_url: string; metadata_cid: string }[];
      };
      expect(page.tokens[0]).toMatchObject({
        token_id: Number(tokenId),
        status: "ready",
        metadata_cid: token.metadata_cid,
      });
      expect(page.tokens[0]?.image_url).toBe(`${h().server.url}/ipfs/${token.image_cid}`);
      expect((await fetch(page.tokens[0]?.image_url ?? "")).headers.get("content-type")).toBe("image/png");
    } finally {
      await workers.close();
    }
  });
});
