/** What the author routes are built from. */
import type { RateLimit } from "../../../common/rate-limit";
import type { AuthorServices } from "../../authors/services";

export type AuthorRouteDeps = {
  services: AuthorServices;
  /** Signed requests per wallet: challenges, prompt, links. */
  walletLimit: RateLimit;
};
