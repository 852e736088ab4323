/**
 * The chain of `npm run dev`: its own anvil with 1 s blocks, either a plain local chain whose state
 * survives a clean stop, or a fresh fork of ANVIL_FORK_URL. Against an existing deployment there is
 * no anvil at all.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { DevPaths } from "../../common/local-stack";
import { maskUrl } from "../../common/secrets";
import { httpRequest, jsonOf } from "../lib/http-request";
import { anvilBinary, waitForPort } from "../lib/processes";
import { type Child, say, startChild } from "./children";
import type { DevMode } from "./mode";
import { wipeChainState } from "./session";

export type ChainParameters = {
  mode: DevMode;
  paths: DevPaths;
  anvilPort: number;
  previous: "resume" | "clean";
  children: Child[];
  onStart: (child: Child) => void;
};

export type DevChain = { rpcUrl: string; anvil: boolean; forkBlock?: number };

// anvil prints every RPC method name and three lines per block; transactions and errors still show.
const quiet = /^\s*(Block (Number|Hash|Time):.*|[a-z0-9]+_[A-Za-z0-9]+|)\s*$/;

async function startAnvil(p: ChainParameters, args: string[], redact: string[] = []): Promise<string> {
  const all = ["--host", "127.0.0.1", "--port", String(p.anvilPort), "--block-time", "1", ...args];
  const anvil = startChild({
    name: "anvil",
    command: anvilBinary(),
    args: all,
    keep: (l) => !quiet.test(l),
    identity: [anvilBinary(), `--port ${p.anvilPort}`],
    redact,
  });
  p.children.push(anvil);
  p.onStart(anvil);
  await Promise.race([
    waitForPort(p.anvilPort, { timeoutMs: 60_000 }),
    new Promise((_, reject) =>
      anvil.process.once("exit", (code) =>
        reject(new Error(`anvil exited with code ${code} (is port ${p.anvilPort} in use? set ANVIL_PORT)`)),
      ),
    ),
  ]);
  return `http://127.0.0.1:${p.anvilPort}`;
}

/** The block a fork was taken at, from anvil itself. */
async function forkBlockOf(rpcUrl: string): Promise<number> {
  const json = { jsonrpc: "2.0", id: 1, method: "anvil_nodeInfo", params: [] };
  const response = await httpRequest(rpcUrl, { method: "POST", json, timeoutMs: 30_000 });
  const body = jsonOf(response) as { result?: { forkConfig?: { forkBlockNumber?: number } } } | undefined;
  const block = body?.result?.forkConfig?.forkBlockNumber;
  if (typeof block !== "number") throw new Error("anvil did not report the block it forked at");
  return block;
}

/** Starts the mode's chain: anvil (resumed or clean), a fresh fork, or nothing (existing deployment). */
export async function startChain(p: ChainParameters): Promise<DevChain> {
  const { mode, paths } = p;
  if (mode.kind === "existing") {
    say(`existing deployment: no local chain; using ${maskUrl(mode.network.rpcUrl)} (chain ${mode.network.chainId})`);
    return { rpcUrl: mode.network.rpcUrl, anvil: false };
  }
  if (mode.kind === "fork") {
    // Every run forks afresh: the fork's past is the network's, so nothing derived from an older fork stays.
    wipeChainState(paths);
    const at = mode.forkBlock === undefined ? "its latest block" : `block ${mode.forkBlock}`;
    say(`forking chain ${mode.network.chainId} from ${maskUrl(mode.forkUrl)} at ${at}`);
    const args = ["--fork-url", mode.forkUrl];
    if (mode.forkBlock !== undefined) args.push("--fork-block-number", String(mode.forkBlock));
    // anvil prints the fork URL, which may carry an RPC provider's API key.
    const rpcUrl = await startAnvil(p, args, [mode.forkUrl]);
    return { rpcUrl, anvil: true, forkBlock: await forkBlockOf(rpcUrl) };
  }
  if (p.previous === "clean") wipeChainState(paths);
  mkdirSync(path.dirname(paths.anvilState), { recursive: true });
  say(p.previous === "resume" ? "resuming the previous local chain" : "starting a clean local chain");
  const rpcUrl = await startAnvil(p, ["--chain-id", "31337", "--state", paths.anvilState]);
  return { rpcUrl, anvil: true };
}
