/**
 * `npm run mint -- --quantity 5 [--author 0x…] [--prompt "…"]`: mints on the local chain, setting
 * the author's prompt through the admin API first when one is given, so the tokens are made from it.
 */
import { parseArgs } from "node:util";
import { type Address, getAddress, isAddress } from "viem";
import { adminApiToken, adminApiUrl, devPaths } from "../common/local-stack";
import { resolveNetwork } from "../common/network";
import { anvilAccount, mint } from "./lib/glisk";
import { localRpcUrl } from "./lib/local-deployment";

const MAX_BATCH = 50;

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

async function main() {
  const { values } = parseArgs({
    options: {
      quantity: { type: "string", short: "q", default: "1" },
      author: { type: "string", short: "a" },
      prompt: { type: "string", short: "p" },
      minter: { type: "string", default: "2" },
    },
  });
  const quantity = Number(values.quantity);
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > 10_000)
    throw new Error("--quantity must be an integer from 1 to 10000");
  if (values.author && !isAddress(values.author, { strict: false }))
    throw new Error(`--author is not an address: ${values.author}`);
  if (values.author && !isAddress(values.author))
    throw new Error(`--author has a wrong checksum (mistyped?): ${values.author}; or give it in lowercase`);
  const minterIndex = Number(values.minter);
  if (!Number.isInteger(minterIndex) || minterIndex < 0 || minterIndex > 9)
    throw new Error("--minter is an anvil account index, 0 to 9");
  const author = values.author ? getAddress(values.author) : anvilAccount(3).address;
  const network = resolveNetwork({ ...process.env, GLISK_NETWORK: "anvil" }, paths.deployment);
  const rpcUrl = localRpcUrl();

  if (values.prompt !== undefined) {
    await setPrompt(author, values.prompt);
    console.log(`Prompt of ${author} set.`);
  }
  const ids: bigint[] = [];
  for (let left = quantity; left > 0; left -= MAX_BATCH) {
    const result = await mint({
      rpcUrl,
      address: network.address,
      author,
      quantity: Math.min(MAX_BATCH, left),
      minter: anvilAccount(minterIndex),
    });
    ids.push(...result.tokenIds);
    console.log(`Minted ${result.tokenIds.length} in ${result.txHash} (block ${result.blockNumber})`);
  }
  const first = ids[0];
  const last = ids[ids.length - 1];
  console.log(`Tokens ${first}${ids.length > 1 ? `–${last}` : ""} minted for author ${author}.`);
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
  console.error(`mint: ${explain(error)}`);
  process.exit(1);
});
