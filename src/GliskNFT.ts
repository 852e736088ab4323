/**
 * Ponder handlers for GliskNFT: rows for mints, owners and reveals, and one `generate` job per minted
 * token. Handlers only write Ponder tables and enqueue; they never make a paid call.
 */
import { ponder } from "ponder:registry";
import { author, mintBatch, reveal, token } from "ponder:schema";
import { getAddress, zeroAddress } from "viem";
import { GliskNFTAbi } from "../abis/GliskNFTAbi";
import { generateJobData } from "../common/jobs";
import { decodeRevert } from "../common/revert";
import { enqueueGenerate } from "../indexer/enqueue-generate";
import { logger } from "../indexer/logger";
import { urisFromCalldata } from "../indexer/uris-from-calldata";

// `_safeMint` emits Transfer (and may call the recipient's onERC721Received, which can move the
// token on) before BatchMinted, so the mint Transfer creates the row and BatchMinted completes it.
ponder.on("GliskNFT:Transfer", async ({ event, context }) => {
  const { from, to, tokenId } = event.args;
  if (from === zeroAddress) {
    await context.db
      .insert(token)
      .values({
        id: tokenId,
        minter: to,
        owner: to,
        promptAuthor: zeroAddress,
        mintTxHash: event.transaction.hash,
        mintBlockNumber: event.block.number,
        mintTimestamp: event.block.timestamp,
        revealed: false,
      })
      .onConflictDoUpdate({ owner: to });
    return;
  }
  const row = await context.db.find(token, { id: tokenId });
  if (!row) {
    logger.error({ tokenId: tokenId.toString(), tx: event.transaction.hash }, "Transfer of a token never minted");
    return;
  }
  await context.db.update(token, { id: tokenId }).set({ owner: to });
});

ponder.on("GliskNFT:BatchMinted", async ({ event, context }) => {
  const { minter, promptAuthor, startTokenId, quantity, totalPaid } = event.args;
  const count = Number(quantity);
  const ids = Array.from({ length: count }, (_, i) => startTokenId + BigInt(i));
  const mint = {
    minter,
    promptAuthor,
    mintTxHash: event.transaction.hash,
    mintBlockNumber: event.block.number,
    mintTimestamp: event.block.timestamp,
  };

  await context.db.insert(mintBatch).values({
    id: `${event.transaction.hash}-${event.log.logIndex}`,
    minter,
    promptAuthor,
    startTokenId,
    quantity: count,
    totalPaid,
    blockNumber: event.block.number,
    txHash: event.transaction.hash,
    logIndex: event.log.logIndex,
    timestamp: event.block.timestamp,
  });
  // The owner stays whatever the Transfers of this transaction made it.
  await context.db
    .insert(token)
    .values(ids.map((id) => ({ id, ...mint, owner: minter, revealed: false })))
    .onConflictDoUpdate(mint);
  await context.db
    .insert(author)
    .values({
      id: promptAuthor,
      tokensMinted: count,
      tokensRevealed: 0,
      mintCount: 1,
      totalPaid,
      firstMintBlock: event.block.number,
      firstMintTimestamp: event.block.timestamp,
      lastMintBlock: event.block.number,
      lastMintTimestamp: event.block.timestamp,
    })
    .onConflictDoUpdate((row) => ({
      tokensMinted: row.tokensMinted + count,
      mintCount: row.mintCount + 1,
      totalPaid: row.totalPaid + totalPaid,
      lastMintBlock: event.block.number,
      lastMintTimestamp: event.block.timestamp,
    }));

  await enqueueGenerate(
    ids.map((tokenId) =>
      generateJobData({
        chainId: context.chain.id,
        contract: event.log.address,
        tokenId,
        author: promptAuthor,
        minter,
        mintTxHash: event.transaction.hash,
        mintBlockNumber: event.block.number,
      }),
    ),
  );
});

ponder.on("GliskNFT:TokensRevealed", async ({ event, context }) => {
  const { tokenIds } = event.args;
  const contract = getAddress(event.log.address);
  let uris: (string | null)[] | undefined = urisFromCalldata({ contract, transaction: event.transaction, tokenIds });
  const uriSource = uris ? "calldata" : "tokenURI";
  uris ??= await Promise.all(
    tokenIds.map((id) =>
      context.client
        .readContract({ abi: GliskNFTAbi, address: contract, functionName: "tokenURI", args: [id] })
        .catch((error: unknown) => {
          // revealTokens does not check that a token exists, and tokenURI reverts for those ids.
          if (decodeRevert(error)) return null;
          throw error;
        }),
    ),
  );

  const revealedPerAuthor = new Map<`0x${string}`, number>();
  for (const [i, id] of tokenIds.entries()) {
    const row = await context.db.find(token, { id });
    if (!row) {
      logger.warn({ tokenId: id.toString(), tx: event.transaction.hash }, "TokensRevealed names a token never minted");
      continue;
    }
    if (!row.revealed) revealedPerAuthor.set(row.promptAuthor, (revealedPerAuthor.get(row.promptAuthor) ?? 0) + 1);
    await context.db.update(token, { id }).set({
      revealed: true,
      tokenUri: uris[i] ?? null,
      revealTxHash: event.transaction.hash,
      revealBlockNumber: event.block.number,
    });
  }
  for (const [id, n] of revealedPerAuthor) {
    if (!(await context.db.find(author, { id }))) continue;
    await context.db.update(author, { id }).set((row) => ({ tokensRevealed: row.tokensRevealed + n }));
  }

  await context.db.insert(reveal).values({
    id: `${event.transaction.hash}-${event.log.logIndex}`,
    txHash: event.transaction.hash,
    blockNumber: event.block.number,
    logIndex: event.log.logIndex,
    timestamp: event.block.timestamp,
    tokenCount: tokenIds.length,
    tokenIds: [...tokenIds],
    uriSource,
  });
});
