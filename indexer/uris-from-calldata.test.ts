import { encodeFunctionData, getAddress } from "viem";
import { describe, expect, test } from "vitest";
import { GliskNFTAbi } from "../abis/GliskNFTAbi";
import { urisFromCalldata } from "./uris-from-calldata";

const contract = getAddress("0x5fbdb2315678afecb367f032d93f642f64180aa3");
const reveal = (ids: bigint[], uris: string[]) =>
  encodeFunctionData({ abi: GliskNFTAbi, functionName: "revealTokens", args: [ids, uris] });

describe("urisFromCalldata", () => {
  test("returns the URIs of a direct revealTokens call with the event's ids", () => {
    const input = reveal([4n, 9n], ["ipfs://a", "ipfs://b"]);
    expect(urisFromCalldata({ contract, transaction: { to: contract, input }, tokenIds: [4n, 9n] })).toEqual([
      "ipfs://a",
      "ipfs://b",
    ]);
    // Address case does not matter.
    const to = contract.toLowerCase() as `0x${string}`;
    expect(urisFromCalldata({ contract, transaction: { to, input }, tokenIds: [4n, 9n] })).toHaveLength(2);
  });

  test("asks for a fallback when the call is not a direct revealTokens of exactly these ids", () => {
    const input = reveal([4n, 9n], ["ipfs://a", "ipfs://b"]);
    const other = getAddress("0x00000000000000000000000000000000000000aa");
    expect(urisFromCalldata({ contract, transaction: { to: other, input }, tokenIds: [4n, 9n] })).toBeUndefined();
    expect(urisFromCalldata({ contract, transaction: { to: null, input }, tokenIds: [4n, 9n] })).toBeUndefined();
    expect(urisFromCalldata({ contract, transaction: { to: contract, input }, tokenIds: [9n, 4n] })).toBeUndefined();
    expect(urisFromCalldata({ contract, transaction: { to: contract, input }, tokenIds: [4n] })).toBeUndefined();
    const mint = encodeFunctionData({ abi: GliskNFTAbi, functionName: "mint", args: [other, 1n] });
    expect(urisFromCalldata({ contract, transaction: { to: contract, input: mint }, tokenIds: [] })).toBeUndefined();
    expect(
      urisFromCalldata({ contract, transaction: { to: contract, input: "0xdeadbeef" }, tokenIds: [] }),
    ).toBeUndefined();
  });
});
