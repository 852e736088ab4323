/**
 * Ponder tables, shaped for the questions people ask: one token (who minted it, who owns it, is it
 * revealed and where), an author's tokens, the authors leaderboard, and the history of mints and
 * reveals. Ponder rebuilds these from the chain at will; nothing else writes them.
 */
import { index, onchainTable, relations } from "ponder";

export const token = onchainTable(
  "token",
  (t) => ({
    id: t.bigint().primaryKey(),
    minter: t.hex().notNull(),
    owner: t.hex().notNull(),
    promptAuthor: t.hex().notNull(),
    mintTxHash: t.hex().notNull(),
    mintBlockNumber: t.bigint().notNull(),
    mintTimestamp: t.bigint().notNull(),
    revealed: t.boolean().notNull(),
    /** Null until revealed; the placeholder URI is never stored. */
    tokenUri: t.text(),
    revealTxHash: t.hex(),
    revealBlockNumber: t.bigint(),
  }),
  (table) => ({
    // (promptAuthor, id) serves both the author filter and the author's pages ordered by id.
    promptAuthorIdx: index().on(table.promptAuthor, table.id),
    ownerIdx: index().on(table.owner),
    revealedIdx: index().on(table.revealed),
  }),
);

export const mintBatch = onchainTable(
  "mint_batch",
  (t) => ({
    /** `<txHash>-<logIndex>` of the BatchMinted log. */
    id: t.text().primaryKey(),
    minter: t.hex().notNull(),
    promptAuthor: t.hex().notNull(),
    startTokenId: t.bigint().notNull(),
    quantity: t.integer().notNull(),
    totalPaid: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (table) => ({
    promptAuthorIdx: index().on(table.promptAuthor),
    minterIdx: index().on(table.minter),
  }),
);

export const reveal = onchainTable("reveal", (t) => ({
  /** `<txHash>-<logIndex>` of the TokensRevealed log. */
  id: t.text().primaryKey(),
  txHash: t.hex().notNull(),
  blockNumber: t.bigint().notNull(),
  logIndex: t.integer().notNull(),
  timestamp: t.bigint().notNull(),
  tokenCount: t.integer().notNull(),
  tokenIds: t.bigint().array().notNull(),
  /** `calldata` when the URIs came from a direct revealTokens call, `tokenURI` when read per token. */
  uriSource: t.text().notNull(),
}));

export const author = onchainTable(
  "author",
  (t) => ({
    /** The prompt author's address. */
    id: t.hex().primaryKey(),
    tokensMinted: t.integer().notNull(),
    tokensRevealed: t.integer().notNull(),
    mintCount: t.integer().notNull(),
    totalPaid: t.bigint().notNull(),
    firstMintBlock: t.bigint().notNull(),
    firstMintTimestamp: t.bigint().notNull(),
    lastMintBlock: t.bigint().notNull(),
    lastMintTimestamp: t.bigint().notNull(),
  }),
  (table) => ({
    tokensMintedIdx: index().on(table.tokensMinted),
  }),
);

export const tokenRelations = relations(token, ({ one }) => ({
  author: one(author, { fields: [token.promptAuthor], references: [author.id] }),
}));

export const mintBatchRelations = relations(mintBatch, ({ one }) => ({
  author: one(author, { fields: [mintBatch.promptAuthor], references: [author.id] }),
}));

export const authorRelations = relations(author, ({ many }) => ({
  tokens: many(token),
  mintBatches: many(mintBatch),
}));
