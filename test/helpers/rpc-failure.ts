/** A real viem RPC failure whose message carries a secret in the URL, as hosted RPC URLs do. */
import { createPublicClient, http } from "viem";
import { freePort } from "../../scripts/lib/processes";

export const RPC_KEY = "k3y-0f-the-rpc-provider-a1b2c3";

/** An RPC URL with `RPC_KEY` in its path, on a port where nothing listens. */
export async function deadRpcUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}/v2/${RPC_KEY}`;
}

/** The error viem throws for a call to `rpcUrl`. */
export async function rpcFailure(rpcUrl: string): Promise<Error> {
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0 }) });
  return client.getBlockNumber().then(
    () => {
      throw new Error("expected the RPC call to fail");
    },
    (error: Error) => error,
  );
}
