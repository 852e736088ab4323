/**
 * Where `npm run dev` keeps the local stack's state, and how the tools (the `glisk` CLI, `npm run
 * mint`) find its admin API: shared by the dev supervisor, the scripts and the CLI. Node built-ins only:
 * the dev supervisor stays small (common/network.ts, which loads viem, imports from here, not the reverse).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

// import.meta.url rather than import.meta.dirname: Ponder loads this file through vite-node, which has no dirname.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Where `npm run deploy:local` records the local deployment. */
export const localDeploymentFile = path.join(root, "deployments", "anvil.json");

export type DevPaths = ReturnType<typeof devPaths>;

/**
 * Where `npm run dev` keeps its state: `.data/` and deployments/anvil.json, or everything under
 * GLISK_DEV_DIR when set (the end-to-end test runs a second stack there without touching yours).
 */
export function devPaths(env: NodeJS.ProcessEnv = process.env) {
  const data = env.GLISK_DEV_DIR ? path.resolve(env.GLISK_DEV_DIR) : path.join(root, ".data");
  return {
    data,
    deployment: env.GLISK_DEV_DIR ? path.join(data, "deployment.json") : localDeploymentFile,
    anvilState: path.join(data, "anvil", "state.json"),
    redis: path.join(data, "redis"),
    ponder: path.join(data, "ponder"),
    pipeline: path.join(data, "pipeline"),
    ipfs: path.join(data, "ipfs"),
    session: path.join(data, "dev-session.json"),
    adminToken: path.join(data, "admin-token"),
  };
}

/**
 * The admin API's address: `override` (a flag), else GLISK_API_URL, else the pipeline's own PORT on
 * loopback. Empty variables (a copied .env) count as unset.
 */
export function adminApiUrl(env: NodeJS.ProcessEnv, override?: string): string {
  return override || env.GLISK_API_URL || `http://127.0.0.1:${env.PORT || 42070}`;
}

/** ADMIN_API_TOKEN, else the one `npm run dev` generated, so a dev stack works without setup. */
export function adminApiToken(env: NodeJS.ProcessEnv): string | undefined {
  if (env.ADMIN_API_TOKEN) return env.ADMIN_API_TOKEN;
  const file = devPaths(env).adminToken;
  return existsSync(file) ? readFileSync(file, "utf8").trim() || undefined : undefined;
}
