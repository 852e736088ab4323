/** What `npm run dev` prints once everything answers. */

export type BannerParameters = {
  rpcUrl: string;
  token: string;
  tokenFromEnv: boolean;
  tokenFile: string;
  anvilPort: number;
  indexerPort: number;
  pipelinePort: number;
};

export function banner({
  rpcUrl,
  token,
  tokenFromEnv,
  tokenFile,
  anvilPort,
  indexerPort,
  pipelinePort,
}: BannerParameters): string {
  const api = `http://127.0.0.1:${pipelinePort}`;
  // Another terminal does not inherit ports set on the npm run dev command line: say them.
  const mintEnv = `${anvilPort === 8545 ? "" : `ANVIL_PORT=${anvilPort} `}${pipelinePort === 42070 ? "" : `PORT=${pipelinePort} `}`;
  const graphql = `http://127.0.0.1:${indexerPort}/graphql`;
  return `
  GLISK is running.

  GraphQL (indexer)   ${graphql}
  Bull Board          ${api}/admin/queues   (user: anything, password: the admin token)
  Author API          ${api}/api/authors/leaderboard   (docs/authors.md)
  Admin API           ${api}/admin   (OpenAPI: ${api}/openapi.json)
  IPFS gateway        ${api}/ipfs/<cid>
  Health / metrics    ${api}/health/ready   ${api}/metrics
  Chain (anvil)       ${rpcUrl}
  Admin token         ${tokenFromEnv ? "(ADMIN_API_TOKEN from your environment)" : `${token}   (saved in ${tokenFile})`}

  Mint 5 tokens (another terminal):
    ${mintEnv}npm run mint -- --quantity 5 --prompt "a lighthouse in the fog, oil painting"

  Follow a token:
    ${pipelinePort === 42070 ? "" : `GLISK_API_URL=${api} `}npx glisk status 1${tokenFromEnv ? "" : "   (the CLI reads the saved admin token)"}

  GraphQL query to paste at ${graphql}:
    { tokens(orderBy: "id", orderDirection: "desc", limit: 10) { items { id owner promptAuthor revealed tokenUri } } }

  Ctrl-C stops everything; the next \`npm run dev\` resumes this chain.
`;
}
