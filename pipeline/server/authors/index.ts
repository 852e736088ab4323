/** The public author API under `/api/authors`: reads, the prompt and its challenges, X and Farcaster links. */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AuthorRouteDeps } from "./deps";
import { linkRoutes } from "./link-routes";
import { profileRoutes } from "./profile-routes";
import { promptRoutes } from "./prompt-routes";

/** Every author route; `deps` is read only while serving. Fixed paths first: `/leaderboard` before `/{wallet}`. */
export function authorRoutes(deps: AuthorRouteDeps) {
  return new OpenAPIHono().route("/", promptRoutes(deps)).route("/", linkRoutes(deps)).route("/", profileRoutes(deps));
}
