/** The indexer (`ponder dev`) and the pipeline as children of `npm run dev`, started together. */
import { httpRequest } from "../lib/http-request";
import { entryArgs, ponderArgs } from "../lib/launch";
import { ponderBin } from "../lib/processes";
import { type Child, startChild } from "./children";

export type ServicesParameters = {
  env: NodeJS.ProcessEnv;
  root: string;
  indexerPort: number;
  pipelinePort: number;
  children: Child[];
  onStart: (child: Child) => void;
  /** Texts the children's output must not show (an RPC URL with its API key). */
  redact: readonly string[];
};

async function waitForHttp(url: string, child: Child, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) throw new Error(`${child.name} exited with code ${child.process.exitCode}`);
    const ok = await httpRequest(url, { timeoutMs: 2_000 }).then(
      (r) => r.status >= 200 && r.status < 300,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${child.name} did not answer ${url} within ${timeoutMs / 1000} s`);
}

// Ponder logs every empty block, once a second on anvil, burying the pipeline's lines; and it warns
// that .env.local is missing, which this project never uses (scripts/launch.cjs refuses one).
const noise = /Indexed block .*\bevent_count=0\b|Local environment file \(\.env\.local\) not found/;

/** The indexer as dev runs it: `ponder dev` on INDEXER_PORT, without Ponder's noise. */
export function startIndexer(p: ServicesParameters): Child {
  // Ponder prefers PORT over --port, and PORT belongs to the pipeline: the indexer gets its own.
  const indexerEnv = { ...p.env, PORT: String(p.indexerPort) };
  return startChild({
    name: "indexer",
    command: process.execPath,
    args: ponderArgs(["dev", "--disable-ui", "--port", String(p.indexerPort)]),
    cwd: p.root,
    env: indexerEnv,
    keep: (l) => !noise.test(l),
    identity: [ponderBin(), `--port ${p.indexerPort}`],
    redact: p.redact,
  });
}

/** Starts both and resolves once both answer /health; the children are in `p.children` from the start. */
export async function startServices(p: ServicesParameters): Promise<{ indexer: Child; pipeline: Child }> {
  const indexer = startIndexer(p);
  // Compiled (dist/pipeline.js) when dev itself runs compiled, else from the sources through tsx.
  const args = entryArgs("pipeline");
  const main = args.at(-1) as string;
  const pipeline = startChild({
    name: "pipeline",
    command: process.execPath,
    args,
    cwd: p.root,
    env: p.env,
    identity: [main],
    redact: p.redact,
  });
  for (const child of [indexer, pipeline]) {
    p.children.push(child);
    p.onStart(child);
  }
  await Promise.all([
    waitForHttp(`http://127.0.0.1:${p.indexerPort}/health`, indexer),
    waitForHttp(`http://127.0.0.1:${p.pipelinePort}/health`, pipeline),
  ]);
  return { indexer, pipeline };
}
