/**
 * `npm run mint -- --quantity 5 [--author 0x…] [--prompt "…"]`: mints on the chain of a running
 * `npm run dev` (its own anvil or a local fork; found in its session file), else on the local chain
 * of ANVIL_PORT with the recorded deployment, setting the author's prompt through the admin API first
 * when one is given, so the tokens are made from it.
 */
import { parseArgs } from "node:util";
import { type Address, getAddress, isAddress, zeroAddress } from "viem";
import { adminApiToken, adminApiUrl, devPaths } from "../common/local-stack";
import { resolveNetwork } from "../common/network";
import { runningStack } from "./dev/session";
import { anvilAccount, mint } from "./lib/glisk";
import { localRpcUrl } from "./lib/local-deployment";

const MAX_BATCH = 50;

const USAGE = `Usage: npm run mint -- [options]

Mints GliskNFT tokens on the chain of a running \`npm run dev\` (its own anvil or a local fork),
paying with one of anvil's development accounts.

Options:
  -q, --quantity <n>   how many tokens (1 to 10000, in transactions of at most 50; default 1)
  -a, --author <addr>  prompt author of the tokens (default: anvil account 3); 0x0000…0000 mints
                       without an author, as the GLISK web client allows (made from DEFAULT_PROMPT)
  -p, --prompt <text>  set the author's prompt through the admin API first (needs ADMIN_API_TOKEN,
                       or the token npm run dev saved)
      --minter <i>     anvil account index that pays and receives the tokens, 0 to 9 (default 2)
  -h, --help           show this help

Environment: GLISK_DEV_DIR (where npm run dev keeps its session), ANVIL_PORT (without a running dev),
GLISK_API_URL or PORT and ADMIN_API_TOKEN (for --prompt).`;

class UsageError extends Error {}

const paths = devPaths(process.env);

// Its own fetch, not apiClient: npm run mint keeps its own error messages and has no request timeout.
async function setPrompt(author: Address, prompt: string): Promise<void> {
  const api = adminApiUrl(process.env).replace(/\/+$/, "");
  const token = adminApiToken(process.env);
  if (!token) throw new Error("--prompt needs the admin API: set ADMIN_API_TOKEN (npm run dev prints it)");
  const response = await fetch(`${api}/admin/authors/${author}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ prompt }),
  }).catch((error: Error) => {
    throw new Error(
      `cannot reach the admin API at ${api} (${(error.cause as Error | undefined)?.message ?? error.message}): is \`npm run dev\` running?`,
    );
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    throw new Error(
      `setting the prompt failed: ${body.error?.message ?? response.statusText} (HTTP ${response.status})`,
    );
  }
}

type Options = { quantity: number; author: Address; prompt?: string; minterIndex: number };

function options(): Options | undefined {
  const { values } = parseArgs({
    options: {
      quantity: { type: "string", short: "q", default: "1" },
      author: { type: "string", short: "a" },
      prompt: { type: "string", short: "p" },
      minter: { type: "string", default: "2" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return undefined;
  const quantity = Number(values.quantity);
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > 10_000)
    throw new UsageError("--quantity must be an integer from 1 to 10000");
  if (values.author && !isAddress(values.author, { strict: false }))
    throw new UsageError(`--author is not an address: ${values.author}`);
  if (values.author && !isAddress(values.author))
    throw new UsageError(`--author has a wrong checksum (mistyped?): ${values.author}; or give it in lowercase`);
  const minterIndex = Number(values.minter);
  if (!Number.isInteger(minterIndex) || minterIndex < 0 || minterIndex > 9)
    throw new UsageError("--minter is an anvil account index, 0 to 9");
  const author = values.author ? getAddress(values.author) : anvilAccount(3).address;
  if (author === zeroAddress && values.prompt !== undefined)
    throw new UsageError("--prompt cannot go with the zero address: tokens without an author use DEFAULT_PROMPT");
  return { quantity, author, prompt: values.prompt, minterIndex };
}

/** The chain and contract to mint on: the running dev stack's, else ANVIL_PORT and the recorded deployment. */
function target(): { rpcUrl: string; chainId?: number; address: Address } {
  const stack = runningStack(paths);
  if (stack?.mode === "existing" || (stack && !stack.rpcUrl)) {
    throw new Error(
      `npm run dev runs against the existing deployment ${stack.address} on chain ${stack.chainId}: ` +
        "npm run mint mints only on dev's own chains (local or a fork); mint there through the GLISK web client",
    );
  }
  if (stack?.rpcUrl) return { rpcUrl: stack.rpcUrl, chainId: stack.chainId, address: getAddress(stack.address) };
  const network = resolveNetwork({ ...process.env, GLISK_NETWORK: "anvil" }, paths.deployment);
  return { rpcUrl: localRpcUrl(), address: network.address };
}

async function main() {
  const opts = options();
  if (!opts) {
    console.log(USAGE);
    return;
  }
  const chain = target();
  if (opts.prompt !== undefined) {
    await setPrompt(opts.author, opts.prompt);
    console.log(`Prompt of ${opts.author} set.`);
  }
  const ids: bigint[] = [];
  for (let left = opts.quantity; left > 0; left -= MAX_BATCH) {
    const result = await mint({
      ...chain,
      author: opts.author,
      quantity: Math.min(MAX_BATCH, left),
      minter: anvilAccount(opts.minterIndex),
    });
    ids.push(...result.tokenIds);
    console.log(`Minted ${result.tokenIds.length} in ${result.txHash} (block ${result.blockNumber})`);
  }
  const first = ids[0];
  const last = ids[ids.length - 1];
  const by = opts.author === zeroAddress ? "without an author (DEFAULT_PROMPT)" : `for author ${opts.author}`;
  console.log(`Tokens ${first}${ids.length > 1 ? `–${last}` : ""} minted ${by}.`);
  console.log(`Follow them: npx glisk status ${first}   or   npx glisk tokens`);
}

/** viem's full messages run to twenty lines of call data; a person needs what failed and what to do. */
function explain(error: Error): string {
  const viem = error as Error & { shortMessage?: string; walk?: (fn: (e: unknown) => boolean) => unknown };
  if (typeof viem.walk !== "function" || typeof viem.shortMessage !== "string") return error.message;
  const unreachable = viem.walk((e) => (e as Error).name === "HttpRequestError");
  if (unreachable)
    return `cannot reach the local chain at ${localRpcUrl()}: is \`npm run dev\` running? (set ANVIL_PORT if it uses another port)`;
  return viem.shortMessage;
}

main().catch((error: Error) => {
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
  console.error(`mint: ${explain(error)}${usage ? "\n\nRun `npm run mint -- --help` for the options." : ""}`);
  process.exit(usage ? 2 : 1);
});
