/** What `npm run dev` prints once everything answers. */

export type BannerParameters = {
  mode: "local" | "fork" | "existing";
  /** Which chain, said in one line (a fork says of what and at which block). */
  chainLine: string;
  /** The contract, its first block and the keeper. */
  contract: string;
  token: string;
  tokenFromEnv: boolean;
  tokenFile: string;
  anvilPort: number;
  indexerPort: number;
  pipelinePort: number;
  /** GLISK_DEV_DIR when set: another terminal needs it to find this stack. */
  devDir?: string;
};

const HEADLINE = {
  local: "GLISK is running on a local chain.",
  fork: "GLISK is running on a local fork: nothing is sent to the forked network.",
  existing: "GLISK is running against an existing deployment: reveals are real transactions.",
} as const;

const NEXT_RUN = {
  local: "Ctrl-C stops everything; the next `npm run dev` resumes this chain.",
  fork: "Ctrl-C stops everything; the next `npm run dev` forks afresh.",
  existing: "Ctrl-C stops everything; the next `npm run dev` picks up where this one stopped.",
} as const;

export function banner(p: BannerParameters): string {
  const api = `http://127.0.0.1:${p.pipelinePort}`;
  // Another terminal does not inherit ports set on the npm run dev command line: say them.
  const mintEnv = `${p.devDir ? `GLISK_DEV_DIR=${p.devDir} ` : ""}${p.pipelinePort === 42070 ? "" : `PORT=${p.pipelinePort} `}`;
  const graphql = `http://127.0.0.1:${p.indexerPort}/graphql`;
  const mint =
    p.mode === "existing"
      ? "  Mint through the GLISK web client or your own wallet (npm run mint works on dev's own chains only)."
      : `  Mint 5 tokens (another terminal):\n    ${mintEnv}npm run mint -- --quantity 5 --prompt "a lighthouse in the fog, oil painting"`;
  return `
  ${HEADLINE[p.mode]}

  GraphQL (indexer)   ${graphql}
  Bull Board          ${api}/admin/queues   (user: anything, password: the admin token)
  Author API          ${api}/api/authors/leaderboard   (docs/authors.md)
  Admin API           ${api}/admin   (OpenAPI: ${api}/openapi.json)
  IPFS gateway        ${api}/ipfs/<cid>
  Health / metrics    ${api}/health/ready   ${api}/metrics
  Chain               ${p.chainLine}
  Contract            ${p.contract}
  Admin token         ${p.tokenFromEnv ? "(ADMIN_API_TOKEN from your environment)" : `${p.token}   (saved in ${p.tokenFile})`}

${mint}

  Follow a token:
    ${p.pipelinePort === 42070 ? "" : `GLISK_API_URL=${api} `}npx glisk status 1${p.tokenFromEnv ? "" : "   (the CLI reads the saved admin token)"}

  GraphQL query to paste at ${graphql}:
    { tokens(orderBy: "id", orderDirection: "desc", limit: 10) { items { id owner promptAuthor revealed tokenUri } } }

  ${NEXT_RUN[p.mode]}
`;
}
