import { type Address, parseEventLogs, toEventSelector, toFunctionSelector, zeroAddress } from "viem";
import { beforeAll, beforeEach, describe, expect, test } from "vitest";
import { GliskNFTAbi } from "../abis/GliskNFTAbi";
import {
  anvilAccount,
  DEFAULT_MINT_PRICE,
  deployGlisk,
  localClients,
  mint,
  PLACEHOLDER_URI,
} from "../scripts/lib/glisk";
import { revertName } from "./helpers/revert-name";
import { useAnvil } from "./helpers/services";

const anvil = useAnvil();
const keeper = anvilAccount(1);
const minter = anvilAccount(2);
const author = anvilAccount(3).address;
const stranger = anvilAccount(4);

let address: Address;
let snapshot: `0x${string}`;

const clients = () => localClients(anvil().url);
const read = <const F extends "tokenURI" | "isRevealed" | "tokenPromptAuthor">(functionName: F, id: bigint) =>
  clients().publicClient.readContract({ address, abi: GliskNFTAbi, functionName, args: [id] } as never) as Promise<
    F extends "tokenURI" ? string : F extends "isRevealed" ? boolean : Address
  >;

beforeAll(async () => {
  ({ address } = await deployGlisk({ rpcUrl: anvil().url, keeper: keeper.address }));
});
beforeEach(async () => {
  if (snapshot) await anvil().revert(snapshot);
  snapshot = await anvil().snapshot();
});

describe("ABI", () => {
  test("carries the deployed contract's selectors", () => {
    const fns = GliskNFTAbi.filter((item) => item.type === "function").map((f) => toFunctionSelector(f));
    expect(fns).toEqual(expect.arrayContaining(["0x40c10f19", "0x53de7804", "0x5055fbc3", "0x75794a3c", "0x7c407c92"]));
    const events = GliskNFTAbi.filter((item) => item.type === "event").map((e) => toEventSelector(e));
    expect(events).toContain("0x20c0d4a5bab7118059cf1d2fd0403c4f29a05e446d435b347f90b80778374c54");
    expect(events).toContain("0x5f36dfedf769ad12bf71aec843edc397276a255b70d51016d99f5fb020dfd902");
    const errors = GliskNFTAbi.filter((item) => item.type === "error").map((e) => e.name);
    for (const name of ["AlreadyRevealed", "LengthMismatch", "InvalidQuantity", "ExceedsMaxBatchSize"]) {
      expect(errors).toContain(name);
    }
    expect(errors).toEqual(expect.arrayContaining(["InsufficientPayment", "MintingDisabled"]));
  });
});

describe("mint", () => {
  test("emits BatchMinted with indexed minter, author and start id, and numbers tokens from 1", async () => {
    const first = await mint({ rpcUrl: anvil().url, address, author, quantity: 3, minter });
    const second = await mint({ rpcUrl: anvil().url, address, author, quantity: 2, minter });
    expect(first.tokenIds).toEqual([1n, 2n, 3n]);
    expect(second.tokenIds).toEqual([4n, 5n]);
    const receipt = await clients().publicClient.getTransactionReceipt({ hash: first.txHash });
    const [log] = parseEventLogs({ abi: GliskNFTAbi, eventName: "BatchMinted", logs: receipt.logs });
    expect(log?.args).toEqual({
      minter: minter.address,
      promptAuthor: author,
      startTokenId: 1n,
      quantity: 3n,
      totalPaid: DEFAULT_MINT_PRICE * 3n,
    });
    expect(log?.topics).toHaveLength(4);
    expect(await read("tokenPromptAuthor", 5n)).toBe(author);
    const next = await clients().publicClient.readContract({ address, abi: GliskNFTAbi, functionName: "nextTokenId" });
    expect(next).toBe(6n);
  });

  test("rejects zero, over-50 and underpaid mints with named errors", async () => {
    const simulate = (quantity: bigint, value: bigint) => () =>
      clients().publicClient.simulateContract({
        address,
        abi: GliskNFTAbi,
        functionName: "mint",
        args: [author, quantity],
        value,
        account: minter,
      });
    expect((await revertName(simulate(0n, 0n))).name).toBe("InvalidQuantity");
    expect((await revertName(simulate(51n, DEFAULT_MINT_PRICE * 51n))).name).toBe("ExceedsMaxBatchSize");
    expect((await revertName(simulate(2n, DEFAULT_MINT_PRICE * 2n - 1n))).name).toBe("InsufficientPayment");
  });

  test("accepts the zero address as prompt author, as the deployed contract does", async () => {
    const { tokenIds, txHash } = await mint({ rpcUrl: anvil().url, address, author: zeroAddress, quantity: 2, minter });
    expect(tokenIds).toEqual([1n, 2n]);
    expect(await read("tokenPromptAuthor", 2n)).toBe(zeroAddress);
    const { publicClient } = clients();
    expect(await publicClient.readContract({ address, abi: GliskNFTAbi, functionName: "ownerOf", args: [2n] })).toBe(
      minter.address,
    );
    const receipt = await publicClient.getTransactionReceipt({ hash: txHash });
    const [log] = parseEventLogs({ abi: GliskNFTAbi, eventName: "BatchMinted", logs: receipt.logs });
    expect(log?.args.promptAuthor).toBe(zeroAddress);
    const credit = await publicClient.readContract({
      address,
      abi: GliskNFTAbi,
      functionName: "authorClaimable",
      args: [zeroAddress],
    });
    expect(credit).toBe(DEFAULT_MINT_PRICE);
  });

  test("splits the price 50/50 between author and treasury, overpayment to the treasury", async () => {
    const { publicClient, walletFor } = clients();
    const overpay = 7n;
    const hash = await walletFor(minter).writeContract({
      address,
      abi: GliskNFTAbi,
      functionName: "mint",
      args: [author, 4n],
      value: DEFAULT_MINT_PRICE * 4n + overpay,
    });
    await publicClient.waitForTransactionReceipt({ hash });
    const authorShare = await publicClient.readContract({
      address,
      abi: GliskNFTAbi,
      functionName: "authorClaimable",
      args: [author],
    });
    const treasury = await publicClient.readContract({ address, abi: GliskNFTAbi, functionName: "treasuryBalance" });
    expect(authorShare).toBe(DEFAULT_MINT_PRICE * 2n);
    expect(treasury).toBe(DEFAULT_MINT_PRICE * 2n + overpay);
    expect(await publicClient.getBalance({ address })).toBe(DEFAULT_MINT_PRICE * 4n + overpay);
  });
});

describe("reveal", () => {
  const uri = (id: bigint) => `ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52z${id}`;

  test("shows the placeholder until the keeper reveals, then the revealed URI", async () => {
    const { tokenIds } = await mint({ rpcUrl: anvil().url, address, author, quantity: 2, minter });
    expect(await read("tokenURI", 1n)).toBe(PLACEHOLDER_URI);
    expect(await read("isRevealed", 1n)).toBe(false);
    const { publicClient, walletFor } = clients();
    const hash = await walletFor(keeper).writeContract({
      address,
      abi: GliskNFTAbi,
      functionName: "revealTokens",
      args: [tokenIds, tokenIds.map(uri)],
    });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    const [event] = parseEventLogs({ abi: GliskNFTAbi, eventName: "TokensRevealed", logs: receipt.logs });
    expect(event?.args.tokenIds).toEqual([1n, 2n]);
    expect(await read("tokenURI", 2n)).toBe(uri(2n));
    expect(await read("isRevealed", 2n)).toBe(true);
  });

  test("rejects a caller without KEEPER_ROLE", async () => {
    await mint({ rpcUrl: anvil().url, address, author, quantity: 1, minter });
    const result = await revertName(() =>
      clients().publicClient.simulateContract({
        address,
        abi: GliskNFTAbi,
        functionName: "revealTokens",
        args: [[1n], [uri(1n)]],
        account: stranger,
      }),
    );
    expect(result.name).toBe("AccessControlUnauthorizedAccount");
    expect(result.args?.[0]).toBe(stranger.address);
  });

  test("reverts the whole batch with AlreadyRevealed(id), and LengthMismatch on unequal arrays", async () => {
    await mint({ rpcUrl: anvil().url, address, author, quantity: 3, minter });
    const { publicClient, walletFor } = clients();
    const hash = await walletFor(keeper).writeContract({
      address,
      abi: GliskNFTAbi,
      functionName: "revealTokens",
      args: [[2n], [uri(2n)]],
    });
    await publicClient.waitForTransactionReceipt({ hash });
    const simulate = (ids: bigint[], uris: string[]) => () =>
      publicClient.simulateContract({
        address,
        abi: GliskNFTAbi,
        functionName: "revealTokens",
        args: [ids, uris],
        account: keeper,
      });
    expect(await revertName(simulate([1n, 2n, 3n], [uri(1n), uri(2n), uri(3n)]))).toEqual({
      name: "AlreadyRevealed",
      args: [2n],
    });
    expect((await revertName(simulate([1n, 3n], [uri(1n)]))).name).toBe("LengthMismatch");
  });

  test("reveals an id never minted (existence is not checked) while tokenURI of it reverts", async () => {
    const { publicClient, walletFor } = clients();
    const hash = await walletFor(keeper).writeContract({
      address,
      abi: GliskNFTAbi,
      functionName: "revealTokens",
      args: [[9n], [uri(9n)]],
    });
    expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe("success");
    expect(await read("isRevealed", 9n)).toBe(true);
    const result = await revertName(() => read("tokenURI", 9n));
    expect(result).toEqual({ name: "ERC721NonexistentToken", args: [9n] });
  });

  test("emits only TokensRevealed: no ERC-4906 MetadataUpdate", async () => {
    const { tokenIds } = await mint({ rpcUrl: anvil().url, address, author, quantity: 2, minter });
    const { publicClient, walletFor } = clients();
    const hash = await walletFor(keeper).writeContract({
      address,
      abi: GliskNFTAbi,
      functionName: "revealTokens",
      args: [tokenIds, tokenIds.map(uri)],
    });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.logs.map((l) => l.topics[0])).toEqual([toEventSelector("TokensRevealed(uint256[])")]);
  });
});
