/**
 * `glisk`: the operator's command line for a running pipeline, through its admin API
 * (GLISK_API_URL, default http://127.0.0.1:$PORT, PORT defaulting to 42070; ADMIN_API_TOKEN).
 */
import { parseArgs } from "node:util";
import { adminApiToken, adminApiUrl } from "../common/local-stack";
import { type ApiClient, apiClient, CliError } from "./api";
import { pairs, table } from "./format";

const USAGE = `Usage: glisk <command> [options]

Commands:
  reveal <id…>                         reveal these tokens now
  status <id>                          chain state, pipeline state and history of a token
  retry <id>                           send a failed token back to the start of the pipeline
  tokens [--status <s>] [--limit <n>]  list tokens known to the pipeline (all pages)
  author set-prompt <address> <prompt> set a prompt author's prompt

Options:
  --json          print the API's JSON instead of tables
  --api-url <u>   admin API address (default: $GLISK_API_URL, else http://127.0.0.1:$PORT, PORT 42070)
  -h, --help      show this help (also: glisk help)

Environment: ADMIN_API_TOKEN (default: the token \`npm run dev\` saved in .data/admin-token), GLISK_API_URL, PORT.`;

type Token = {
  tokenId: string;
  status: string;
  author: string;
  metadataCid: string | null;
  revealTxHash: string | null;
};
type TokenDetail = {
  tokenId: string;
  chain: {
    exists: boolean;
    owner: string | null;
    isRevealed: boolean | null;
    tokenURI: string | null;
    promptAuthor: string | null;
  };
  pipeline: (Token & { statusReason: string | null; imageCid: string | null; attempts: Record<string, number> }) | null;
  history: {
    at: string;
    from: string | null;
    to: string | null;
    stage: string;
    attempt: number | null;
    reason: string | null;
  }[];
};

const tokenId = (value: string | undefined, command: string): string => {
  if (!value || !/^[1-9][0-9]*$/.test(value))
    throw new CliError(`${command}: expected a token id, got "${value ?? ""}"`, 2);
  return value;
};

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    await run(argv, env);
    return 0;
  } catch (error) {
    if (error instanceof CliError) {
      console.error(`glisk: ${error.message}`);
      return error.exitCode;
    }
    if ((error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`glisk: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    console.error(`glisk: unexpected error: ${(error as Error).message}`);
    return 1;
  }
}

type Options = { json: boolean; status?: string; limit?: string };

/** What a command needs: its arguments, the options, an API client and a printer. */
type Invocation = {
  args: string[];
  options: Options;
  api: () => ApiClient;
  print: (json: unknown, text: () => string) => void;
};

async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: "boolean", default: false },
      status: { type: "string" },
      limit: { type: "string" },
      "api-url": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || command === "help" || !command) {
    console.log(USAGE);
    if (!command && !values.help) throw new CliError("no command given", 2);
    return;
  }
  const handler = commands[command];
  if (!handler) throw new CliError(`unknown command "${command}"\n\n${USAGE}`, 2);
  await handler({
    args,
    options: values,
    api: () => apiClient(adminApiUrl(env, values["api-url"]), adminApiToken(env)),
    print: (json, text) => console.log(values.json ? JSON.stringify(json, null, 2) : text()),
  });
}

const commands: Record<string, (i: Invocation) => Promise<void>> = {
  reveal: async ({ args, api, print }) => {
    if (args.length === 0) throw new CliError("reveal: give at least one token id", 2);
    const tokenIds = args.map((id) => tokenId(id, "reveal"));
    const result = await api()<{ tokens: { tokenId: string; status: string }[] }>("POST", "/admin/reveal", {
      tokenIds,
    });
    const rows = result.tokens.map((t) => [t.tokenId, t.status]);
    print(result, () => `Reveal requested.\n${table(["token", "status"], rows)}`);
  },

  status: async ({ args, api, print }) => {
    const id = tokenId(args[0], "status");
    const t = await api()<TokenDetail>("GET", `/admin/tokens/${id}`);
    print(t, () => `${statusPairs(t)}\n\n${historyTable(t)}`);
  },

  retry: async ({ args, api, print }) => {
    const id = tokenId(args[0], "retry");
    const result = await api()<{ tokenId: string; status: string }>("POST", `/admin/tokens/${id}/retry`);
    print(result, () => `Token ${result.tokenId} is ${result.status} again.`);
  },

  tokens: async ({ options, api, print }) => {
    const limit = options.limit ? Number(options.limit) : Number.POSITIVE_INFINITY;
    if (!(limit > 0)) throw new CliError("tokens: --limit must be a positive number", 2);
    const tokens = await allTokens(api(), { status: options.status, limit });
    const rows = tokens.map((t) => [t.tokenId, t.status, t.author, t.metadataCid, t.revealTxHash]);
    print(tokens, () =>
      tokens.length === 0
        ? "No tokens."
        : `${table(["token", "status", "author", "metadata CID", "reveal tx"], rows)}\n${tokens.length} token(s)`,
    );
  },

  author: async ({ args, api, print }) => {
    const [sub, address, ...words] = args;
    if (sub !== "set-prompt" || !address || words.length === 0) {
      throw new CliError('author: usage is `glisk author set-prompt <address> "<prompt>"`', 2);
    }
    const result = await api()<{ address: string; promptLength: number }>(
      "PUT",
      `/admin/authors/${encodeURIComponent(address)}`,
      { prompt: words.join(" ") },
    );
    print(result, () => `Prompt of ${result.address} set (${result.promptLength} characters).`);
  },
};

function statusPairs(t: TokenDetail): string {
  return pairs([
    ["token", t.tokenId],
    ["status", t.pipeline?.status ?? "not seen by the pipeline yet"],
    ["reason", t.pipeline?.statusReason],
    ["revealed on-chain", t.chain.isRevealed],
    ["owner", t.chain.owner],
    ["prompt author", authorLine(t.chain.promptAuthor)],
    ["tokenURI", t.chain.tokenURI],
    ["image CID", t.pipeline?.imageCid],
    ["metadata CID", t.pipeline?.metadataCid],
    ["reveal tx", t.pipeline?.revealTxHash],
  ]);
}

/** The zero address is a real answer for a minted token: it was minted without an author. */
const authorLine = (author: string | null) =>
  author && /^0x0{40}$/i.test(author) ? `${author} (none: made from DEFAULT_PROMPT)` : author;

function historyTable(t: TokenDetail): string {
  return table(
    ["at", "from", "to", "stage", "attempt", "reason"],
    t.history.map((e) => [e.at, e.from, e.to, e.stage, e.attempt, e.reason]),
  );
}

/** Every page of /admin/tokens up to `limit` tokens. */
async function allTokens(client: ApiClient, p: { status?: string; limit: number }): Promise<Token[]> {
  const tokens: Token[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: String(Math.min(500, p.limit - tokens.length)) });
    if (p.status) query.set("status", p.status);
    if (cursor) query.set("cursor", cursor);
    const page: { tokens: Token[]; nextCursor: string | null } = await client("GET", `/admin/tokens?${query}`);
    tokens.push(...page.tokens);
    cursor = page.nextCursor;
  } while (cursor && tokens.length < p.limit);
  return tokens;
}
