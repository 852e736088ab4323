/**
 * The indexer end to end: a real `ponder` process indexing a real anvil chain and enqueueing into a
 * real Redis. One Ponder process is shared by the tests in order (each builds on the chain state the
 * previous one left), restarted where a restart is what is being proved.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { type Address, encodeFunctionData, getAddress, type Hash, type Hex, keccak256, zeroAddress } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GliskNFTAbi } from "../abis/GliskNFTAbi";
import type { GenerateJobData } from "../common/jobs";
import { anvilAccount, deployGlisk, grantKeeper, localClients, mint, waitFor } from "../scripts/lib/glisk";
import { type PonderProcess, type StartPonderOptions, startPonder } from "../scripts/lib/ponder";
import { type Service, startRedis } from "../scripts/lib/processes";
import { useAnvil, useDatabase } from "./helpers/services";

const anvil = useAnvil();
const database = useDatabase();

const keeper = anvilAccount(1);
const minter = anvilAccount(2);
const authorA = anvilAccount(3).address;
const authorB = anvilAccount(4).address;
const otherMinter = anvilAccount(5);
const collector = anvilAccount(7).address;
const prefix = `glisk-indexer-${process.pid}`;
const lower = (a: string) => a.toLowerCase();
const PRODUCTION_SCHEMA = "glisk_test_a";

let address: Address;
let startBlock: number;
let redis: Service;
let redisDir: string;
let redisClient: Redis;
let queue: Queue<GenerateJobData>;
let ponder: PonderProcess | undefined;

const ponderOptions = (command: StartPonderOptions["command"], schema?: string): StartPonderOptions => {
  const db = database();
  return {
    command,
    schema,
    viewsSchema: schema ? "glisk" : undefined,
    rpcUrl: anvil().url,
    contract: address,
    startBlock,
    redisUrl: redis.url,
    queuePrefix: prefix,
    database: db.kind === "pglite" ? { kind: "pglite", dir: path.join(db.dir, "ponder") } : db,
  };
};

async function restartPonder(command: StartPonderOptions["command"], schema?: string) {
  await ponder?.stop();
  ponder = undefined;
  ponder = await startPonder(ponderOptions(command, schema));
}

const indexer = () => {
  if (!ponder) throw new Error("ponder is not running");
  return ponder;
};

type TokenRow = {
  id: string;
  promptAuthor: string;
  minter: string;
  owner: string;
  revealed: boolean;
  tokenUri: string | null;
  mintTxHash: string;
  mintBlockNumber: string;
  revealTxHash: string | null;
};
type AuthorRow = { id: string; tokensMinted: number; tokensRevealed: number; mintCount: number; totalPaid: string };

const TOKEN_FIELDS = "id promptAuthor minter owner revealed tokenUri mintTxHash mintBlockNumber revealTxHash";

async function tokens(): Promise<TokenRow[]> {
  const data = await indexer().graphql<{ tokens: { items: TokenRow[] } }>(
    `{ tokens(orderBy: "id", orderDirection: "asc", limit: 1000) { items { ${TOKEN_FIELDS} } } }`,
  );
  return data.tokens.items;
}

async function token(id: bigint): Promise<TokenRow | null> {
  const data = await indexer().graphql<{ token: TokenRow | null }>(
    `query ($id: BigInt!) { token(id: $id) { ${TOKEN_FIELDS} } }`,
    { id: id.toString() },
  );
  return data.token;
}

async function author(id: Address): Promise<AuthorRow | null> {
  const data = await indexer().graphql<{ author: AuthorRow | null }>(
    `query ($id: String!) { author(id: $id) { id tokensMinted tokensRevealed mintCount totalPaid } }`,
    { id: lower(id) },
  );
  return data.author;
}

/** Every generate job in Redis, whatever its state, sorted by id. */
async function jobs(): Promise<{ id: string; data: GenerateJobData; attempts: number | undefined }[]> {
  const all = await queue.getJobs([
    "waiting",
    "active",
    "delayed",
    "prioritized",
    "completed",
    "failed",
    "waiting-children",
  ]);
  return all
    .map((job) => ({ id: String(job.id), data: job.data, attempts: job.opts.attempts }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

const expectedJob = (tokenId: bigint, m: { txHash: Hash; blockNumber: bigint }, author: Address, by: Address) => ({
  id: `gen-31337-${tokenId}-${m.txHash}`,
  attempts: 8,
  data: {
    chainId: 31337,
    contract: address,
    tokenId: tokenId.toString(),
    promptAuthor: author,
    minter: by,
    mintTxHash: m.txHash,
    mintBlockNumber: m.blockNumber.toString(),
  },
});

// `/ready` means the backfill to the finalized block is done; on anvil every block is still
// unfinalized, so rows arrive through realtime sync right after.
const tokenCount = (n: number) => async () => {
  const rows = await tokens();
  return rows.length === n ? rows : undefined;
};
const sixTokens = () => waitFor(tokenCount(6), { message: "six indexed tokens", timeoutMs: 20_000 });

const mintPrice = () =>
  localClients(anvil().url).publicClient.readContract({ address, abi: GliskNFTAbi, functionName: "mintPrice" });

/** Waits until the indexed token `id` satisfies `check`, and returns it. */
const tokenWhere = (id: bigint, check: (t: TokenRow | null) => boolean, message: string) =>
  waitFor(
    async () => {
      const row = await token(id);
      return check(row) ? { row } : undefined;
    },
    { message, timeoutMs: 20_000 },
  ).then((r) => r.row);

/**
 * Creation code of a minimal forwarder, standing in for a multisig's `execute`: it CALLs `target` with
 * its own calldata and reverts when that call fails. Hand-assembled:
 * CALLDATACOPY(0, 0, CALLDATASIZE); CALL(GAS, target, 0, 0, CALLDATASIZE, 0, 0); JUMPI(ok) else REVERT(0, 0).
 */
function forwarderBytecode(target: Address): Hex {
  const runtime = `0x36600060003760006000366000600073${target.slice(2).toLowerCase()}5af1602d57600080fd5b00`;
  const length = (runtime.length - 2) / 2;
  const len = length.toString(16).padStart(2, "0");
  return `0x60${len}600c60003960${len}6000f3${runtime.slice(2)}`;
}

/** Signs `mint(author, quantity)` from `account` without sending it, for anvil_reorg. */
async function signedMint(account: typeof otherMinter, author: Address, quantity: number): Promise<Hex> {
  const { walletFor } = localClients(anvil().url);
  const wallet = walletFor(account);
  const request = await wallet.prepareTransactionRequest({
    to: address,
    data: encodeFunctionData({ abi: GliskNFTAbi, functionName: "mint", args: [author, BigInt(quantity)] }),
    value: (await mintPrice()) * BigInt(quantity),
    gas: 500_000n,
  });
  return wallet.signTransaction(request);
}

beforeAll(async () => {
  redisDir = mkdtempSync(path.join(tmpdir(), "glisk-indexer-redis-"));
  redis = await startRedis({ dir: redisDir });
  redisClient = new Redis(redis.url);
  // The Redis outage test stops the server under this client; it reconnects on its own.
  redisClient.on("error", () => {});
  queue = new Queue<GenerateJobData>("generate", { connection: redisClient, prefix });
  queue.on("error", () => {});
  const deployed = await deployGlisk({ rpcUrl: anvil().url, keeper: keeper.address });
  address = getAddress(deployed.address);
  startBlock = deployed.startBlock;
  // Production mode first; the restart test switches to `ponder dev` and back.
  ponder = await startPonder(ponderOptions("start", PRODUCTION_SCHEMA));
});

afterAll(async () => {
  await ponder?.stop();
  await queue?.close();
  redisClient?.disconnect();
  await redis?.stop();
  if (redisDir) rmSync(redisDir, { recursive: true, force: true });
});

describe("indexer", () => {
  const mints: { txHash: Hash; blockNumber: bigint; tokenIds: bigint[] }[] = [];

  test("indexes three mints by two authors and enqueues exactly one generate job per token", async () => {
    const rpcUrl = anvil().url;
    mints.push(await mint({ rpcUrl, address, author: authorA, quantity: 2, minter }));
    mints.push(await mint({ rpcUrl, address, author: authorB, quantity: 3, minter: otherMinter }));
    mints.push(await mint({ rpcUrl, address, author: authorA, quantity: 1, minter }));
    const [m1, m2, m3] = mints as [(typeof mints)[0], (typeof mints)[0], (typeof mints)[0]];

    const rows = await sixTokens();
    const row = (id: number, m: typeof m1, a: Address, by: Address) => ({
      id: String(id),
      promptAuthor: lower(a),
      minter: lower(by),
      owner: lower(by),
      revealed: false,
      tokenUri: null,
      mintTxHash: m.txHash,
      mintBlockNumber: m.blockNumber.toString(),
      revealTxHash: null,
    });
    expect(rows).toEqual([
      row(1, m1, authorA, minter.address),
      row(2, m1, authorA, minter.address),
      row(3, m2, authorB, otherMinter.address),
      row(4, m2, authorB, otherMinter.address),
      row(5, m2, authorB, otherMinter.address),
      row(6, m3, authorA, minter.address),
    ]);

    const price = await mintPrice();
    expect(await author(authorA)).toEqual({
      id: lower(authorA),
      tokensMinted: 3,
      tokensRevealed: 0,
      mintCount: 2,
      totalPaid: (price * 3n).toString(),
    });
    expect(await author(authorB)).toMatchObject({ tokensMinted: 3, mintCount: 1, totalPaid: (price * 3n).toString() });
    const batches = await indexer().graphql<{ mintBatchs: { items: { quantity: number; txHash: string }[] } }>(
      `{ mintBatchs(orderBy: "startTokenId") { items { quantity txHash } } }`,
    );
    expect(batches.mintBatchs.items).toEqual([
      { quantity: 2, txHash: m1.txHash },
      { quantity: 3, txHash: m2.txHash },
      { quantity: 1, txHash: m3.txHash },
    ]);

    expect(await jobs()).toEqual(
      [
        expectedJob(1n, m1, authorA, minter.address),
        expectedJob(2n, m1, authorA, minter.address),
        expectedJob(3n, m2, authorB, otherMinter.address),
        expectedJob(4n, m2, authorB, otherMinter.address),
        expectedJob(5n, m2, authorB, otherMinter.address),
        expectedJob(6n, m3, authorA, minter.address),
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
  });

  test("keeps exactly one job per token across a dev re-index and a `ponder start` restart", async () => {
    const before = (await jobs()).map((j) => j.id);
    expect(before).toHaveLength(6);

    // `ponder dev` indexes from the start block into its own schema: every handler runs again.
    await restartPonder("dev");
    await sixTokens();
    expect((await jobs()).map((j) => j.id)).toEqual(before);

    // Back to the production schema: crash recovery replays every unfinalized block's events.
    await restartPonder("start", PRODUCTION_SCHEMA);
    expect(indexer().logs()).toContain("Detected crash recovery");
    await sixTokens();
    expect((await jobs()).map((j) => j.id)).toEqual(before);
  }, 150_000);

  test("removes the rows of a mint that a reorg drops, and restores the author's counts", async () => {
    const dropped = await mint({ rpcUrl: anvil().url, address, author: authorB, quantity: 2, minter });
    expect(dropped.tokenIds).toEqual([7n, 8n]);
    await tokenWhere(7n, (t) => t?.mintTxHash === dropped.txHash, "token 7 indexed");
    expect(await author(authorB)).toMatchObject({ tokensMinted: 5, mintCount: 2 });
    expect((await jobs()).map((j) => j.id)).toContain(`gen-31337-7-${dropped.txHash}`);

    // Replace the mint's block with an empty one.
    await anvil().rpc("anvil_reorg", [1, []]);
    await tokenWhere(7n, (t) => t === null, "token 7 removed by the reorg");
    expect(await token(8n)).toBeNull();
    expect(await author(authorB)).toMatchObject({ tokensMinted: 3, mintCount: 1 });
    const batches = await indexer().graphql<{ mintBatchs: { items: { txHash: string }[] } }>(
      `{ mintBatchs(limit: 100) { items { txHash } } }`,
    );
    expect(batches.mintBatchs.items.map((b) => b.txHash)).not.toContain(dropped.txHash);
  });

  test("a reorg that gives the same ids to another author's mint shows the new author and enqueues the new mint", async () => {
    const original = await mint({ rpcUrl: anvil().url, address, author: authorA, quantity: 2, minter });
    expect(original.tokenIds).toEqual([7n, 8n]);
    await tokenWhere(7n, (t) => t?.mintTxHash === original.txHash, "token 7 indexed");

    const raw = await signedMint(otherMinter, authorB, 2);
    const replacement = keccak256(raw);
    await anvil().rpc("anvil_reorg", [1, [[raw, 0]]]);
    const row = await tokenWhere(7n, (t) => t?.mintTxHash === replacement, "token 7 re-minted by the reorg");
    expect(row).toMatchObject({ promptAuthor: lower(authorB), minter: lower(otherMinter.address), revealed: false });
    expect(await token(8n)).toMatchObject({ promptAuthor: lower(authorB), mintTxHash: replacement });
    expect(await author(authorA)).toMatchObject({ tokensMinted: 3 });
    expect(await author(authorB)).toMatchObject({ tokensMinted: 5 });

    const receipt = await localClients(anvil().url).publicClient.getTransactionReceipt({ hash: replacement });
    const all = await jobs();
    expect(all).toContainEqual(
      expectedJob(7n, { txHash: replacement, blockNumber: receipt.blockNumber }, authorB, otherMinter.address),
    );
    expect(all).toContainEqual(
      expectedJob(8n, { txHash: replacement, blockNumber: receipt.blockNumber }, authorB, otherMinter.address),
    );
    // The job of the reorged-out mint stays; the pipeline checks the chain and skips it.
    expect(all.map((j) => j.id)).toContain(`gen-31337-7-${original.txHash}`);
  });

  test("a keeper reveal sets revealed, tokenUri and revealTxHash from the calldata", async () => {
    const { publicClient, walletFor } = localClients(anvil().url);
    const hash = await walletFor(keeper).writeContract({
      address,
      abi: GliskNFTAbi,
      functionName: "revealTokens",
      args: [
        [1n, 2n],
        ["ipfs://bafy-one", "ipfs://bafy-two"],
      ],
    });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    const one = await tokenWhere(1n, (t) => t?.revealed === true, "token 1 revealed");
    expect(one).toMatchObject({ tokenUri: "ipfs://bafy-one", revealTxHash: hash });
    expect(await token(2n)).toMatchObject({ revealed: true, tokenUri: "ipfs://bafy-two", revealTxHash: hash });
    expect(await token(3n)).toMatchObject({ revealed: false, tokenUri: null, revealTxHash: null });
    expect(await author(authorA)).toMatchObject({ tokensRevealed: 2 });
    const reveals = await indexer().graphql<{ reveals: { items: unknown[] } }>(
      `{ reveals { items { txHash blockNumber tokenCount tokenIds uriSource } } }`,
    );
    expect(reveals.reveals.items).toEqual([
      {
        txHash: hash,
        blockNumber: receipt.blockNumber.toString(),
        tokenCount: 2,
        tokenIds: ["1", "2"],
        uriSource: "calldata",
      },
    ]);
  });

  test("a reveal sent through another contract reads the URIs with tokenURI", async () => {
    const { publicClient, walletFor } = localClients(anvil().url);
    const admin = walletFor(anvilAccount(0));
    const deploy = await admin.sendTransaction({ data: forwarderBytecode(address) });
    const deployed = await publicClient.waitForTransactionReceipt({ hash: deploy });
    const forwarder = getAddress(deployed.contractAddress ?? zeroAddress);
    await grantKeeper({ rpcUrl: anvil().url, address, keeper: forwarder });

    const hash = await walletFor(keeper).sendTransaction({
      to: forwarder,
      data: encodeFunctionData({
        abi: GliskNFTAbi,
        functionName: "revealTokens",
        args: [
          // 1000 was never minted: revealTokens does not check, and tokenURI reverts for it.
          [3n, 7n, 1000n],
          ["ipfs://bafy-three", "ipfs://bafy-seven", "ipfs://bafy-nobody"],
        ],
      }),
      gas: 1_000_000n,
    });
    expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe("success");
    const three = await tokenWhere(3n, (t) => t?.revealed === true, "token 3 revealed");
    expect(three).toMatchObject({ tokenUri: "ipfs://bafy-three", revealTxHash: hash });
    expect(await token(7n)).toMatchObject({ revealed: true, tokenUri: "ipfs://bafy-seven" });
    expect(await author(authorB)).toMatchObject({ tokensRevealed: 2 });
    expect(await token(1000n)).toBeNull();
    const reveals = await indexer().graphql<{ reveals: { items: { txHash: string; uriSource: string }[] } }>(
      `{ reveals { items { txHash uriSource tokenCount } } }`,
    );
    expect(reveals.reveals.items).toContainEqual({ txHash: hash, uriSource: "tokenURI", tokenCount: 3 });
  });

  test("a transfer updates the owner", async () => {
    const { publicClient, walletFor } = localClients(anvil().url);
    const hash = await walletFor(minter).writeContract({
      address,
      abi: GliskNFTAbi,
      functionName: "transferFrom",
      args: [minter.address, collector, 6n],
    });
    await publicClient.waitForTransactionReceipt({ hash });
    const six = await tokenWhere(6n, (t) => t?.owner === lower(collector), "token 6 owned by the collector");
    expect(six).toMatchObject({ minter: lower(minter.address), promptAuthor: lower(authorA) });
    expect(await token(1n)).toMatchObject({ owner: lower(minter.address) });
  });

  test("JSON routes answer tokens, author pages and the leaderboard, and reject bad input with 400", async () => {
    const get = async (route: string) => {
      const response = await fetch(`${indexer().url}${route}`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const [m1] = mints as [(typeof mints)[0]];

    expect(await get("/tokens/1")).toEqual({
      status: 200,
      body: expect.objectContaining({
        id: "1",
        minter: minter.address,
        owner: minter.address,
        promptAuthor: authorA,
        mintTxHash: m1.txHash,
        mintBlockNumber: m1.blockNumber.toString(),
        revealed: true,
        tokenUri: "ipfs://bafy-one",
      }),
    });
    expect(await get("/tokens/999")).toEqual({
      status: 404,
      body: { error: expect.objectContaining({ code: "not_found" }) },
    });
    for (const bad of ["abc", "-1", "01", "1.5", (2n ** 256n).toString()]) {
      const { status, body } = await get(`/tokens/${bad}`);
      expect({ bad, status }).toEqual({ bad, status: 400 });
      expect(body).toEqual({ error: { code: "invalid_request", message: expect.stringContaining("id") } });
    }

    // Author B owns 3, 4, 5, 7, 8 after the replacing reorg; pages of two, any address case.
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? "limit=2" : `limit=2&cursor=${cursor}`;
      const { status, body } = await get(`/authors/${lower(authorB)}/tokens?${query}`);
      expect(status).toBe(200);
      pages.push((body.items as { id: string; promptAuthor: string }[]).map((t) => t.id));
      cursor = body.nextCursor as string | null;
    } while (cursor !== null && pages.length < 10);
    expect(pages).toEqual([["3", "4"], ["5", "7"], ["8"]]);
    expect(await get(`/authors/${collector}/tokens`)).toEqual({ status: 200, body: { items: [], nextCursor: null } });
    for (const bad of [
      `/authors/0x1234/tokens`,
      `/authors/not-an-address/tokens`,
      `/authors/${authorA}/tokens?limit=0`,
      `/authors/${authorA}/tokens?limit=201`,
      `/authors/${authorA}/tokens?limit=two`,
      `/authors/${authorA}/tokens?cursor=x`,
      `/authors/leaderboard?limit=0`,
      `/authors/leaderboard?limit=101`,
    ]) {
      const { status, body } = await get(bad);
      expect({ bad, status }).toEqual({ bad, status: 400 });
      expect(body).toEqual({ error: { code: "invalid_request", message: expect.any(String) } });
    }

    const board = await get("/authors/leaderboard");
    expect(board.status).toBe(200);
    expect(board.body.items).toEqual([
      expect.objectContaining({ rank: 1, address: authorB, tokensMinted: 5, tokensRevealed: 2, mintCount: 2 }),
      expect.objectContaining({ rank: 2, address: authorA, tokensMinted: 3, tokensRevealed: 2, mintCount: 2 }),
    ]);
    expect((await get("/authors/leaderboard?limit=1")).body.items).toEqual([
      expect.objectContaining({ address: authorB }),
    ]);
  });

  test("while Redis is down the mint waits, logged, and is indexed and enqueued once Redis is back", async () => {
    const before = await jobs();
    await redis.stop();
    const waiting = await mint({ rpcUrl: anvil().url, address, author: authorA, quantity: 1, minter });
    expect(waiting.tokenIds).toEqual([9n]);
    await waitFor(() => indexer().logs().includes("cannot enqueue generate jobs"), {
      message: "the indexer to log the failed enqueue",
      timeoutMs: 20_000,
    });
    // The handler has not finished, so its block is not committed: nothing was dropped or half-written.
    expect(await token(9n)).toBeNull();

    redis = await startRedis({ port: redis.port, dir: redisDir });
    await tokenWhere(9n, (t) => t?.mintTxHash === waiting.txHash, "token 9 indexed after Redis came back");
    const after = await jobs();
    expect(after).toContainEqual(expectedJob(9n, waiting, authorA, minter.address));
    expect(after).toHaveLength(before.length + 1);
  });

  test("a token minted without an author is indexed and enqueued but is no author's on the leaderboard", async () => {
    const before = await jobs();
    const anonymous = await mint({ rpcUrl: anvil().url, address, author: zeroAddress, quantity: 1, minter });
    expect(anonymous.tokenIds).toEqual([10n]);
    await tokenWhere(10n, (t) => t?.mintTxHash === anonymous.txHash, "token 10 indexed");
    const after = await jobs();
    expect(after).toContainEqual(expectedJob(10n, anonymous, zeroAddress, minter.address));
    expect(after).toHaveLength(before.length + 1);
    const board = (await (await fetch(`${indexer().url}/authors/leaderboard`)).json()) as {
      items: { address: string }[];
    };
    expect(board.items.map((row) => row.address)).toEqual([authorB, authorA]);
  });

  test("a fresh index backfills finalized history to the same rows and enqueues nothing new", async () => {
    const everything = async () =>
      indexer().graphql(`{
          tokens(orderBy: "id", limit: 1000) { items { ${TOKEN_FIELDS} mintTimestamp revealBlockNumber } }
          authors(orderBy: "id", limit: 100) { items { id tokensMinted tokensRevealed mintCount totalPaid firstMintBlock lastMintBlock } }
          reveals(orderBy: "blockNumber", limit: 100) { items { id txHash tokenIds uriSource } }
          mintBatchs(orderBy: "startTokenId", limit: 100) { items { id quantity promptAuthor totalPaid } }
        }`);
    const before = JSON.stringify(await everything());
    const jobsBefore = await jobs();

    // Bury everything under the 30-block finality so the new process reads it through the backfill
    // (eth_getLogs, transaction calldata, tokenURI reads at past blocks), not live indexing.
    await anvil().rpc("anvil_mine", ["0x28"]);
    await restartPonder("dev");
    expect(indexer().logs()).not.toContain("chain only requires live indexing");
    const after = await waitFor(
      async () => {
        const now = JSON.stringify(await everything());
        return now === before ? now : undefined;
      },
      { message: "the backfilled rows to equal the live-indexed ones", timeoutMs: 30_000 },
    ).catch(async () => JSON.stringify(await everything()));
    expect(JSON.parse(after)).toEqual(JSON.parse(before));
    expect(await jobs()).toEqual(jobsBefore);
  }, 150_000);
});
