/** Where a token was minted: the BatchMinted logs of a transaction, or a search for the canonical one. */
import {
  type Address,
  type Hash,
  type PublicClient,
  parseEventLogs,
  type TransactionReceipt,
  TransactionReceiptNotFoundError,
} from "viem";
import { GliskNFTAbi } from "../../abis/GliskNFTAbi";

export type MintLocation = { txHash: Hash; blockNumber: number; minter: Address; author: Address };

export type MintRange = MintLocation & { startTokenId: bigint; quantity: bigint };

/** The receipt of `hash`, or undefined when the node has none (pending, dropped or reorged out). */
export async function receiptOrUndefined(chain: PublicClient, hash: Hash): Promise<TransactionReceipt | undefined> {
  return chain.getTransactionReceipt({ hash }).catch((error) => {
    if (error instanceof TransactionReceiptNotFoundError) return undefined;
    throw error;
  });
}

/** The BatchMinted logs of `txHash` when that transaction is canonical and succeeded, else an empty list. */
export async function mintsInTx(
  chain: PublicClient,
  { contract, txHash }: { contract: Address; txHash: Hash },
): Promise<MintRange[]> {
  const receipt = await receiptOrUndefined(chain, txHash);
  if (receipt?.status !== "success") return [];
  return parseEventLogs({ abi: GliskNFTAbi, eventName: "BatchMinted", logs: receipt.logs })
    .filter((l) => l.address.toLowerCase() === contract.toLowerCase())
    .map((l) => ({
      txHash,
      blockNumber: Number(receipt.blockNumber),
      minter: l.args.minter,
      author: l.args.promptAuthor,
      startTokenId: l.args.startTokenId,
      quantity: l.args.quantity,
    }));
}

/** The mint among `mints` that covers `tokenId`. */
export function mintCovering(mints: readonly MintRange[], tokenId: bigint): MintLocation | undefined {
  const found = mints.find((m) => covers(m, tokenId));
  return found && { txHash: found.txHash, blockNumber: found.blockNumber, minter: found.minter, author: found.author };
}

const covers = (args: { startTokenId: bigint; quantity: bigint }, id: bigint) =>
  id >= args.startTokenId && id < args.startTokenId + args.quantity;

/** Blocks searched either side of the stored mint block: a reorg moves a mint by a few blocks at most. */
const SEARCH_WINDOW = 1_000n;
const minBig = (a: bigint, b: bigint) => (a < b ? a : b);
const maxBig = (a: bigint, b: bigint) => (a > b ? a : b);
const CHUNK = 5_000n;

/**
 * Finds the canonical BatchMinted that minted `tokenId`, searching around `nearBlock` up to the head.
 * Returns the whole range, so a caller looking up consecutive ids reads each mint once.
 */
export async function findMint(
  chain: PublicClient,
  p: { contract: Address; tokenId: bigint; nearBlock: bigint; startBlock: bigint; head: bigint },
): Promise<MintRange | undefined> {
  const near = minBig(p.nearBlock, p.head);
  let from = maxBig(near - SEARCH_WINDOW, p.startBlock);
  while (from <= p.head) {
    const to = minBig(from + CHUNK - 1n, p.head);
    const logs = await chain.getContractEvents({
      address: p.contract,
      abi: GliskNFTAbi,
      eventName: "BatchMinted",
      fromBlock: from,
      toBlock: to,
    });
    const log = logs.find((l) => !l.removed && covers(l.args as { startTokenId: bigint; quantity: bigint }, p.tokenId));
    if (log?.transactionHash && log.blockNumber !== null) {
      const args = log.args as { minter: Address; promptAuthor: Address; startTokenId: bigint; quantity: bigint };
      return {
        txHash: log.transactionHash,
        blockNumber: Number(log.blockNumber),
        minter: args.minter,
        author: args.promptAuthor,
        startTokenId: args.startTokenId,
        quantity: args.quantity,
      };
    }
    from = to + 1n;
  }
  return undefined;
}
