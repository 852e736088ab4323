/**
 * The token metadata JSON (ERC-721 metadata, OpenSea attributes). Built from stored facts only, with
 * a fixed key order, so the same token always yields the same bytes and the same CID. The prompt
 * text is never part of it.
 */
import { getAddress, zeroAddress } from "viem";

export type MetadataInput = {
  tokenId: string;
  author: string;
  imageCid: string;
  promptKind: string | null;
  /** The author's linked handles as recorded on the token, without "@". */
  xHandle?: string | null;
  farcasterHandle?: string | null;
  description: string;
  /** Optional; `{id}` is replaced by the token id. */
  externalUrl?: string;
};

export type TokenMetadata = {
  name: string;
  description: string;
  image: string;
  external_url?: string;
  attributes: { trait_type: string; value: string | number }[];
};

/** The metadata object of one token. */
export function buildMetadata(p: MetadataInput): TokenMetadata {
  const author = getAddress(p.author);
  // A token minted with author address(0) has no author (its image comes from DEFAULT_PROMPT).
  const attributes: TokenMetadata["attributes"] =
    author === zeroAddress ? [] : [{ trait_type: "Prompt Author", value: author }];
  if (p.xHandle) attributes.push({ trait_type: "Author X Handle", value: `@${p.xHandle}` });
  if (p.farcasterHandle) attributes.push({ trait_type: "Author Farcaster Handle", value: `@${p.farcasterHandle}` });
  attributes.push({ trait_type: "Season", value: 0 });
  if (p.promptKind === "fallback") attributes.push({ trait_type: "Prompt", value: "Fallback" });
  return {
    name: `GLISK S0 #${p.tokenId}`,
    description: p.description,
    image: `ipfs://${p.imageCid}`,
    ...(p.externalUrl ? { external_url: p.externalUrl.replaceAll("{id}", p.tokenId) } : {}),
    attributes,
  };
}

/** The metadata as the UTF-8 bytes that are pinned. */
export const metadataBytes = (metadata: TokenMetadata): Uint8Array =>
  new TextEncoder().encode(JSON.stringify(metadata, null, 2));
