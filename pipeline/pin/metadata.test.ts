import { describe, expect, test } from "vitest";
import { buildMetadata, metadataBytes } from "./metadata";

const input = {
  tokenId: "42",
  author: "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
  imageCid: "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq",
  promptKind: "primary",
  description: "GLISK Season 0",
};

describe("token metadata", () => {
  test("ERC-721 / OpenSea shape with a checksummed author and the image as ipfs://", () => {
    expect(buildMetadata(input)).toEqual({
      name: "GLISK S0 #42",
      description: "GLISK Season 0",
      image: `ipfs://${input.imageCid}`,
      attributes: [
        { trait_type: "Prompt Author", value: "0x90F79bf6EB2c4f870365E785982E1f101E93b906" },
        { trait_type: "Season", value: 0 },
      ],
    });
  });

  test("external_url only when configured, with {id} replaced; a fallback prompt is an attribute", () => {
    const m = buildMetadata({ ...input, promptKind: "fallback", externalUrl: "https://glisk.xyz/token/{id}" });
    expect(m.external_url).toBe("https://glisk.xyz/token/42");
    expect(m.attributes).toContainEqual({ trait_type: "Prompt", value: "Fallback" });
  });

  test("linked handles follow the author attribute, with @, in a fixed order; absent ones are left out", () => {
    const m = buildMetadata({ ...input, xHandle: "glisk_author", farcasterHandle: "glisk" });
    expect(m.attributes).toEqual([
      { trait_type: "Prompt Author", value: "0x90F79bf6EB2c4f870365E785982E1f101E93b906" },
      { trait_type: "Author X Handle", value: "@glisk_author" },
      { trait_type: "Author Farcaster Handle", value: "@glisk" },
      { trait_type: "Season", value: 0 },
    ]);
    const onlyFarcaster = buildMetadata({ ...input, xHandle: null, farcasterHandle: "glisk" });
    expect(onlyFarcaster.attributes.map((a) => a.trait_type)).toEqual([
      "Prompt Author",
      "Author Farcaster Handle",
      "Season",
    ]);
  });

  test("a token minted without an author (address 0) has no Prompt Author attribute", () => {
    const m = buildMetadata({ ...input, author: "0x0000000000000000000000000000000000000000" });
    expect(m.attributes).toEqual([{ trait_type: "Season", value: 0 }]);
  });

  test("the same token always serialises to the same bytes", () => {
    expect(
      Buffer.from(metadataBytes(buildMetadata(input))).equals(Buffer.from(metadataBytes(buildMetadata(input)))),
    ).toBe(true);
  });
});
