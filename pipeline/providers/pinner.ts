/**
 * The IPFS pinning interface and its factory. Every object is first written to the local
 * content-addressed store (durable staging, and what `GET /ipfs/:cid` serves); the `local` pinner
 * stops there, `pinata` then pins the same bytes on the public network.
 */
import type { Config } from "../config";
import type { CidVersion } from "./cid";
import { createPinataPinner } from "./pinata";

export type PinRequest = {
  bytes: Uint8Array;
  /** File name shown by the pinning service, e.g. glisk-s0-7.png. */
  name: string;
  mime: string;
  cidVersion: CidVersion;
  keyvalues: Record<string, string>;
};

export interface IpfsPinner {
  readonly name: "pinata" | "local";
  /** Pins `bytes` and returns the CID the network knows them by. */
  pin(request: PinRequest): Promise<string>;
}

/** The pinner named by IPFS_PROVIDER; undefined for `local` (the local store is the pin). */
export function createIpfsPinner(config: Config): IpfsPinner | undefined {
  if (config.IPFS_PROVIDER === "local") return undefined;
  if (!config.PINATA_JWT) throw new Error("PINATA_JWT is required for pinata");
  return createPinataPinner({
    jwt: config.PINATA_JWT,
    gateway: config.PINATA_GATEWAY,
    uploadUrl: config.PINATA_UPLOAD_URL,
    apiUrl: config.PINATA_API_URL,
    timeoutMs: config.PIN_TIMEOUT_MS,
  });
}
