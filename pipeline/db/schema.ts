/** Row types of the `pipeline` schema. Token ids are decimal strings (numeric(78,0)); int8 columns are numbers. */
import type { ColumnType, Generated, Kysely, Selectable, Transaction, Updateable } from "kysely";

export const tokenStatuses = [
  "detected",
  "generating",
  "generated",
  "uploaded",
  "revealing",
  "revealed",
  "failed",
] as const;
export type TokenStatus = (typeof tokenStatuses)[number];

/** `uploaded` is the ready-to-reveal state. */
export const READY: TokenStatus = "uploaded";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface AuthorsTable {
  address: string;
  /** Null until the author sets one (a row can start with a linked X or Farcaster account). */
  prompt: string | null;
  x_handle: string | null;
  x_user_id: string | null;
  x_linked_at: NullableTimestamp;
  farcaster_handle: string | null;
  farcaster_fid: number | null;
  farcaster_linked_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TokensTable {
  chain_id: number;
  token_id: string;
  /** The mint this token's work belongs to; replaced when a reorg gives the id to another mint. */
  mint_tx_hash: string;
  mint_block_number: number;
  minter: string;
  /** The prompt author the image is (being) made for. */
  author: string;
  status: TokenStatus;
  status_reason: string | null;
  prompt_hash: string | null;
  image_provider: string | null;
  prediction_id: string | null;
  /** `primary` or `fallback` (after a content-policy failure). */
  prompt_kind: string | null;
  image_cid: string | null;
  image_mime: string | null;
  image_size: number | null;
  /** Set once the IPFS provider pinned `image_cid` (migration 0002). */
  image_pinned_at: NullableTimestamp;
  metadata_cid: string | null;
  /** The author's linked handles when the image was made (migration 0003), for the metadata. */
  author_x_handle: string | null;
  author_farcaster_handle: string | null;
  generate_attempts: Generated<number>;
  generate_error: string | null;
  pin_attempts: Generated<number>;
  pin_error: string | null;
  reveal_attempts: Generated<number>;
  reveal_error: string | null;
  reveal_tx_id: number | null;
  reveal_tx_hash: string | null;
  reveal_block_number: number | null;
  ready_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TokenEventsTable {
  id: Generated<number>;
  chain_id: number;
  token_id: string;
  mint_tx_hash: string;
  from_status: TokenStatus | null;
  /** Null for a skipped job, which moved the token nowhere (migration 0004). */
  to_status: TokenStatus | null;
  stage: string;
  attempt: number | null;
  reason: string | null;
  job_id: string | null;
  at: Timestamp;
}

export type RevealTxStatus = "pending" | "mined" | "reverted" | "failed";

export interface RevealTransactionsTable {
  id: Generated<number>;
  chain_id: number;
  keeper: string;
  nonce: number;
  token_ids: string[];
  uris: string[];
  status: RevealTxStatus;
  /** Every hash broadcast at this nonce, oldest first (replacements append). */
  hashes: string[];
  max_fee_per_gas: string;
  max_priority_fee_per_gas: string;
  gas_limit: string;
  mined_hash: string | null;
  block_number: number | null;
  gas_used: string | null;
  effective_gas_price: string | null;
  error: string | null;
  broadcast_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** The one deployment this database serves (migration 0004; db/deployment.ts). */
export interface DeploymentTable {
  id: ColumnType<boolean, boolean | undefined, never>;
  chain_id: number;
  /** Lowercase address. */
  contract: string;
  claimed_at: Timestamp;
}

export interface Database {
  deployment: DeploymentTable;
  authors: AuthorsTable;
  tokens: TokensTable;
  token_events: TokenEventsTable;
  reveal_transactions: RevealTransactionsTable;
}

export type Token = Selectable<TokensTable>;
export type TokenUpdate = Updateable<TokensTable>;
export type TokenEvent = Selectable<TokenEventsTable>;
export type RevealTransaction = Selectable<RevealTransactionsTable>;
export type Author = Selectable<AuthorsTable>;

/** A token of one deployment's chain. */
export type TokenKey = { chainId: number; tokenId: string };

/** A token's work for one mint: a reorg that gives the id to another mint makes a new MintKey. */
export type MintKey = TokenKey & { mintTxHash: string };

/** The database or one transaction in it. */
export type Executor = Kysely<Database> | Transaction<Database>;
