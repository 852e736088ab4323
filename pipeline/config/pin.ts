/** Pinning to IPFS: provider choice, Pinata credentials, metadata shape, concurrency. */
import { z } from "zod";
import { int, optionalString } from "../../common/env";

export const pinEnv = z.object({
  /** Default: pinata when PINATA_JWT is set, else local. */
  IPFS_PROVIDER: z.enum(["pinata", "local"]).optional(),
  PINATA_JWT: optionalString(),
  PINATA_UPLOAD_URL: optionalString(),
  PINATA_API_URL: optionalString(),
  PINATA_GATEWAY: optionalString(),
  /** Local content-addressed store (served at GET /ipfs/:cid). */
  IPFS_DATA_DIR: z.string().default(".data/ipfs"),
  METADATA_CID_VERSION: z.enum(["0", "1"]).default("0").transform(Number),
  METADATA_DESCRIPTION: z.string().default("GLISK Season 0: an artwork generated from its prompt author's prompt."),
  METADATA_EXTERNAL_URL: optionalString(),
  /** Upper bound for one Pinata upload (the SDK sets none). */
  PIN_TIMEOUT_MS: int(120_000, { min: 100 }),
  /** Pin jobs in flight per process: uploads are waits on the IPFS provider. */
  PIN_CONCURRENCY: int(16, { min: 1, max: 1_000 }),
});
