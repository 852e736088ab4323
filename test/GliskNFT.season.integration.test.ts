/**
 * The twin's money and lifecycle paths, as the deployed contract behaves: season end and sweep,
 * treasury withdrawal to the calling admin, author claims, direct payments, royalties, mint price by
 * the keeper, and the interfaces it announces.
 */
import { type Address, keccak256, parseEventLogs, toHex } from "viem";
import { beforeAll, beforeEach, describe, expect, test } from "vitest";
import { GliskNFTAbi } from "../abis/GliskNFTAbi";
import { anvilAccount, DEFAULT_MINT_PRICE, deployGlisk, localClients, mint } from "../scripts/lib/glisk";
import { revertName } from "./helpers/revert-name";
import { useAnvil } from "./helpers/services";

const anvil = useAnvil();
const admin = anvilAccount(0);
const keeper = anvilAccount(1);
const minter = anvilAccount(2);
const author = anvilAccount(3);
const stranger = anvilAccount(4);
const KEEPER_ROLE = keccak256(toHex("KEEPER_ROLE"));

let address: Address;
let snapshot: `0x${string}`;

const clients = () => localClients(anvil().url);
type Write = { functionName: string; args?: readonly unknown[]; value?: bigint };

/** Sends a transaction from `account` and returns its receipt's GliskNFT events. */
async function send(account: typeof admin, call: Write) {
  const { publicClient, walletFor } = clients();
  const hash = await walletFor(account).writeContract({ address, abi: GliskNFTAbi, ...call } as never);
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  return { receipt, events: parseEventLogs({ abi: GliskNFTAbi, logs: receipt.logs }) };
}

/** The error `account`'s call would revert with. */
const refused = (account: typeof admin, call: Write) =>
  revertName(() => clients().publicClient.simulateContract({ address, abi: GliskNFTAbi, account, ...call } as never));

const view = <T>(functionName: string, args: readonly unknown[] = []) =>
  clients().publicClient.readContract({ address, abi: GliskNFTAbi, functionName, args } as never) as Promise<T>;

beforeAll(async () => {
  ({ address } = await deployGlisk({ rpcUrl: anvil().url, keeper: keeper.address }));
});
beforeEach(async () => {
  if (snapshot) await anvil().revert(snapshot);
  snapshot = await anvil().snapshot();
});

describe("season", () => {
  test("ending the season stops minting, payment is checked first, and it ends only once", async () => {
    await send(admin, { functionName: "endSeason" });
    expect(await view<boolean>("seasonEnded")).toBe(true);
    const mintCall = (value: bigint) => ({ functionName: "mint", args: [author.address, 1n], value });
    expect((await refused(minter, mintCall(DEFAULT_MINT_PRICE))).name).toBe("MintingDisabled");
    expect((await refused(minter, mintCall(DEFAULT_MINT_PRICE - 1n))).name).toBe("InsufficientPayment");
    expect((await refused(admin, { functionName: "endSeason" })).name).toBe("SeasonAlreadyEnded");
    expect((await refused(stranger, { functionName: "endSeason" })).name).toBe("AccessControlUnauthorizedAccount");
  });

  test("unclaimed author credit is swept to the treasury only 14 days after the season ended", async () => {
    await mint({ rpcUrl: anvil().url, address, author: author.address, quantity: 2, minter });
    const sweep = { functionName: "sweepUnclaimedRewards", args: [[author.address, stranger.address]] };
    expect((await refused(admin, sweep)).name).toBe("SeasonNotEnded");
    await send(admin, { functionName: "endSeason" });
    expect((await refused(admin, sweep)).name).toBe("SweepProtectionActive");
    await anvil().rpc("evm_increaseTime", [14 * 24 * 3600]);
    await anvil().rpc("evm_mine");
    const treasury = await view<bigint>("treasuryBalance");
    const { events } = await send(admin, sweep);
    expect(events.find((e) => e.eventName === "UnclaimedRewardsSwept")?.args).toEqual({
      totalAmount: DEFAULT_MINT_PRICE,
      authorsCount: 1n,
    });
    expect(await view<bigint>("authorClaimable", [author.address])).toBe(0n);
    expect(await view<bigint>("treasuryBalance")).toBe(treasury + DEFAULT_MINT_PRICE);
  });
});

describe("money", () => {
  test("withdrawTreasury pays the calling admin the whole treasury, and refuses an empty one", async () => {
    await mint({ rpcUrl: anvil().url, address, author: author.address, quantity: 4, minter });
    expect((await refused(stranger, { functionName: "withdrawTreasury" })).name).toBe(
      "AccessControlUnauthorizedAccount",
    );
    const { events } = await send(admin, { functionName: "withdrawTreasury" });
    expect(events.find((e) => e.eventName === "TreasuryWithdrawn")?.args).toEqual({
      recipient: admin.address,
      amount: DEFAULT_MINT_PRICE * 2n,
    });
    expect(await view<bigint>("treasuryBalance")).toBe(0n);
    // The author's credit stays in the contract.
    expect(await clients().publicClient.getBalance({ address })).toBe(DEFAULT_MINT_PRICE * 2n);
    expect((await refused(admin, { functionName: "withdrawTreasury" })).name).toBe("NoBalance");
  });

  test("an author claims its credit with AuthorClaimed; a claim of nothing changes nothing", async () => {
    await mint({ rpcUrl: anvil().url, address, author: author.address, quantity: 2, minter });
    const { events } = await send(author, { functionName: "claimAuthorRewards" });
    expect(events.map((e) => [e.eventName, e.args])).toEqual([
      ["AuthorClaimed", { author: author.address, amount: DEFAULT_MINT_PRICE }],
    ]);
    expect((await send(author, { functionName: "claimAuthorRewards" })).events).toEqual([]);
  });

  test("ETH sent without calldata goes to the treasury", async () => {
    const { publicClient, walletFor } = clients();
    const hash = await walletFor(stranger).sendTransaction({ to: address, value: 1234n });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    const [event] = parseEventLogs({ abi: GliskNFTAbi, eventName: "DirectPaymentReceived", logs: receipt.logs });
    expect(event?.args).toEqual({ sender: stranger.address, amount: 1234n });
    expect(await view<bigint>("treasuryBalance")).toBe(1234n);
  });

  test("the keeper may set the mint price, a stranger may not", async () => {
    const { events } = await send(keeper, { functionName: "setMintPrice", args: [7n] });
    expect(events[0]?.args).toEqual({ oldPrice: DEFAULT_MINT_PRICE, newPrice: 7n });
    expect(await refused(stranger, { functionName: "setMintPrice", args: [1n] })).toEqual({
      name: "AccessControlUnauthorizedAccount",
      args: [stranger.address, KEEPER_ROLE],
    });
  });

  test("royalties: 2.5 % to the deployer until the admin changes them", async () => {
    expect(await view<[Address, bigint]>("royaltyInfo", [1n, 10_000n])).toEqual([admin.address, 250n]);
    const { events } = await send(admin, { functionName: "setDefaultRoyalty", args: [stranger.address, 500n] });
    expect(events[0]?.args).toEqual({ receiver: stranger.address, feeNumerator: 500n });
    expect(await view<[Address, bigint]>("royaltyInfo", [1n, 10_000n])).toEqual([stranger.address, 500n]);
  });
});

describe("interfaces", () => {
  test("announces ERC-721 (with metadata and enumeration), ERC-2981 and AccessControl, not ERC-4906", async () => {
    const supports = (id: string) => view<boolean>("supportsInterface", [id]);
    for (const id of ["0x01ffc9a7", "0x80ac58cd", "0x5b5e139f", "0x780e9d63", "0x2a55205a", "0x7965db0b"]) {
      expect(await supports(id)).toBe(true);
    }
    expect(await supports("0x49064906")).toBe(false);
  });

  test("enumerates tokens by owner and by index", async () => {
    await mint({ rpcUrl: anvil().url, address, author: author.address, quantity: 3, minter });
    expect(await view<bigint>("totalSupply")).toBe(3n);
    expect(await view<bigint>("tokenOfOwnerByIndex", [minter.address, 2n])).toBe(3n);
    expect(await view<bigint>("tokenByIndex", [0n])).toBe(1n);
  });
});
