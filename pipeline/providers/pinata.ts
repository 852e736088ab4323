/**
 * Pinata through the official SDK, on the public IPFS network. Files are named `glisk-s0-<id>.png`
 * / `glisk-s0-<id>.json` and carry the token id as a key-value. Pinata's v3 upload takes a
 * `cid_version` (the SDK's `.cidVersion("v0")`), so metadata is pinned as CIDv0 like the local store.
 * PINATA_UPLOAD_URL / PINATA_API_URL override the SDK's `uploadUrl` / `endpointUrl` (tests, proxies).
 */
import { PinataSDK, ValidationError } from "pinata";
import { httpError, PermanentError, RetryableError } from "../errors";
import type { IpfsPinner } from "./pinner";

export type PinataOptions = {
  jwt: string;
  gateway?: string;
  uploadUrl?: string;
  apiUrl?: string;
  timeoutMs: number;
};

function classify(error: unknown): Error {
  const status = (error as { statusCode?: number }).statusCode;
  const message = (error as Error)?.message ?? String(error);
  if (typeof status === "number") return httpError({ what: "pinata upload", status, detail: message });
  if (error instanceof ValidationError) return new PermanentError(`pinata upload: ${message}`);
  return new RetryableError(`pinata upload: ${message}`);
}

/** The Pinata pinner. */
export function createPinataPinner(o: PinataOptions): IpfsPinner {
  const pinata = new PinataSDK({
    pinataJwt: o.jwt,
    ...(o.gateway ? { pinataGateway: o.gateway } : {}),
    ...(o.uploadUrl ? { uploadUrl: o.uploadUrl } : {}),
    ...(o.apiUrl ? { endpointUrl: o.apiUrl } : {}),
  });
  return {
    name: "pinata",
    pin: async ({ bytes, name, mime, cidVersion, keyvalues }) => {
      const file = new File([bytes as Uint8Array<ArrayBuffer>], name, { type: mime });
      const upload = pinata.upload.public
        .file(file)
        .name(name)
        .keyvalues(keyvalues)
        .cidVersion(cidVersion === 0 ? "v0" : "v1");
      // The SDK's fetch has no timeout; a hung upload must not hold the job forever.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new RetryableError(`pinata upload timed out after ${o.timeoutMs} ms`)),
          o.timeoutMs,
        );
      });
      try {
        const result = await Promise.race([upload.then((r) => r), timeout]);
        if (!result?.cid) throw new RetryableError("pinata upload answered without a cid");
        return result.cid;
      } catch (error) {
        if (error instanceof RetryableError) throw error;
        throw classify(error);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
