/** Where each dev mode keeps its chain and the state derived from it, under the dev data dir. */
import path from "node:path";
import type { DevPaths } from "../../common/local-stack";
import type { DevMode } from "./mode";

/** The directory of a mode's chain and derived state under the dev data dir (local keeps the top level). */
export function stackDirName(mode: DevMode): string | undefined {
  if (mode.kind === "local") return undefined;
  const { chainId, address } = mode.network;
  // Lower case whatever the address's checksum casing: one deployment, one directory.
  return `${mode.kind}-${chainId}-${address.slice(2, 10).toLowerCase()}`;
}

/** Where the mode keeps its chain and derived state: the top of the data dir locally, a folder per deployment otherwise. */
export function stackPaths(paths: DevPaths, mode: DevMode): DevPaths {
  const name = stackDirName(mode);
  if (!name) return paths;
  const dir = path.join(paths.data, name);
  const [redis, ponder, pipeline, ipfs] = ["redis", "ponder", "pipeline", "ipfs"].map((d) => path.join(dir, d));
  return { ...paths, anvilState: path.join(dir, "anvil", "state.json"), redis, ponder, pipeline, ipfs } as DevPaths;
}
