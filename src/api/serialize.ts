/** JSON bodies of the routes: bigints as decimal strings, addresses in checksum form. */
import { getAddress, type Hex } from "viem";

type TokenRow = {
  id: bigint;
  minter: Hex;
  owner: Hex;
  promptAuthor: Hex;
  mintTxHash: Hex;
  mintBlockNumber: bigint;
  mintTimestamp: bigint;
  revealed: boolean;
  tokenUri: string | null;
  revealTxHash: Hex | null;
  revealBlockNumber: bigint | null;
};

type AuthorRow = {
  id: Hex;
  tokensMinted: number;
  tokensRevealed: number;
  mintCount: number;
  totalPaid: bigint;
  firstMintBlock: bigint;
  firstMintTimestamp: bigint;
  lastMintBlock: bigint;
  lastMintTimestamp: bigint;
};

export const tokenJson = (t: TokenRow) => ({
  id: t.id.toString(),
  minter: getAddress(t.minter),
  owner: getAddress(t.owner),
  promptAuthor: getAddress(t.promptAuthor),
  mintTxHash: t.mintTxHash,
  mintBlockNumber: t.mintBlockNumber.toString(),
  mintTimestamp: t.mintTimestamp.toString(),
  revealed: t.revealed,
  tokenUri: t.tokenUri,
  revealTxHash: t.revealTxHash,
  revealBlockNumber: t.revealBlockNumber?.toString() ?? null,
});

export const authorJson = (a: AuthorRow) => ({
  address: getAddress(a.id),
  tokensMinted: a.tokensMinted,
  tokensRevealed: a.tokensRevealed,
  mintCount: a.mintCount,
  totalPaid: a.totalPaid.toString(),
  firstMintBlock: a.firstMintBlock.toString(),
  firstMintTimestamp: a.firstMintTimestamp.toString(),
  lastMintBlock: a.lastMintBlock.toString(),
  lastMintTimestamp: a.lastMintTimestamp.toString(),
});
