/**
 * A local content-addressed store: bytes are kept under IPFS_DATA_DIR by their CID (computed as
 * IPFS does, see cid.ts) and served by the pipeline's `GET /ipfs/:cid`. Writes go to a temporary
 * file that is fsynced and renamed, so a crash never leaves a truncated object under a valid CID.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { CID } from "multiformats/cid";
import { type CidVersion, computeCid } from "./cid";
import { sniffContentType } from "./mime";

export type LocalStore = {
  dir: string;
  /** Stores `bytes` and returns their CID; storing the same bytes again is a no-op. */
  put: (bytes: Uint8Array, version?: CidVersion) => Promise<string>;
  /** The stored bytes of `cid`, or undefined. */
  get: (cid: string) => Promise<Uint8Array | undefined>;
  has: (cid: string) => Promise<boolean>;
};

/** The canonical string of a CID, or undefined when `value` is not a CID (guards the file path). */
export function normalizeCid(value: string): string | undefined {
  try {
    return CID.parse(value).toString();
  } catch {
    return undefined;
  }
}

function fileFor(dir: string, cid: string): string {
  // Two-level fan-out on the tail keeps directories small; the tail of a CID is uniformly distributed.
  return path.join(dir, "blocks", cid.slice(-2), cid);
}

/** Opens (creating) the local store in `dir`. */
export function createLocalStore(dir: string): LocalStore {
  const has = async (cid: string) => {
    const canonical = normalizeCid(cid);
    if (!canonical) return false;
    return stat(fileFor(dir, canonical)).then(
      () => true,
      () => false,
    );
  };
  return {
    dir,
    has,
    put: async (bytes, version = 1) => {
      const cid = await computeCid(bytes, version);
      const target = fileFor(dir, cid);
      if (await has(cid)) return cid;
      await mkdir(path.dirname(target), { recursive: true });
      const temp = `${target}.${randomBytes(6).toString("hex")}.tmp`;
      const handle = await open(temp, "w");
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target).catch(async (error) => {
        await unlink(temp).catch(() => {});
        throw error;
      });
      return cid;
    },
    get: async (cid) => {
      const canonical = normalizeCid(cid);
      if (!canonical) return undefined;
      return readFile(fileFor(dir, canonical)).then(
        (b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
        () => undefined,
      );
    },
  };
}

export type IpfsObject = { bytes: Uint8Array; contentType: string };

/**
 * Reads one object for `GET /ipfs/:cid`: undefined when `cid` is not a CID or not stored. The
 * content type comes from the bytes (PNG/JPEG/WebP, JSON, else octet-stream); objects are immutable,
 * so callers may cache them forever.
 */
export async function readIpfsObject(dir: string, cid: string): Promise<IpfsObject | undefined> {
  const bytes = await createLocalStore(dir).get(cid);
  return bytes ? { bytes, contentType: sniffContentType(bytes) } : undefined;
}
