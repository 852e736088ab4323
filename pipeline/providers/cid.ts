/**
 * CIDs computed exactly as IPFS computes them when adding a single file, with
 * `ipfs-unixfs-importer` (256 KiB fixed-size chunks, balanced DAG):
 * - version 1 (the default): raw leaves, sha2-256 → `bafkrei…` for files up to one chunk.
 * - version 0: dag-pb leaves, sha2-256 → `Qm…`, as `ipfs add --cid-version=0` and Pinata's
 *   `cid_version: v0` produce. Used for metadata: its URI goes on-chain and is 13 bytes shorter.
 */
import { importBytes } from "ipfs-unixfs-importer";
import type { CID } from "multiformats/cid";

export type CidVersion = 0 | 1;

// The importer only needs somewhere to put blocks; computing a CID keeps none of them.
const discard = { put: async (cid: CID) => cid };

/** The CID of `bytes` added as one file with the given CID version. */
export async function computeCid(bytes: Uint8Array, version: CidVersion = 1): Promise<string> {
  const options = version === 0 ? { cidVersion: 0 as const, rawLeaves: false } : { cidVersion: 1 as const };
  const { cid } = await importBytes(bytes, discard, options);
  return cid.toString();
}
