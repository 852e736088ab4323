/** The author self-service API: signed challenges, the web client's fixed messages, X and Farcaster linking. */
import { z } from "zod";
import { bool, int, optionalString } from "../../common/env";
import { origin } from "./public-api";

const httpUrl = () => z.url({ protocol: /^https?$/ });

export const authorsEnv = z.object({
  /**
   * Also accept the public web client's fixed messages ("Update GLISK prompt for wallet: 0x…"). They
   * never expire and a captured signature can be replayed: off unless that client must work unchanged.
   */
  AUTHOR_LEGACY_MESSAGES: bool(false),
  /** How long a sign-in challenge (and a Sign In With Farcaster message) stays usable. */
  AUTHOR_CHALLENGE_TTL_SECONDS: int(600, { min: 1, max: 3_600 }),
  /** Where the X callback sends the browser back to (`/profile?tab=author&x_linked=…`). */
  FRONTEND_URL: origin().default("http://localhost:3000"),
  /** OAuth 2.0 client of the X app; without it X linking answers 503. */
  X_CLIENT_ID: optionalString(),
  /** Only for confidential X clients (sent as HTTP Basic on the token request). */
  X_CLIENT_SECRET: optionalString(),
  /** The callback registered on the X app. Default: PUBLIC_URL + /api/authors/x/callback. */
  X_REDIRECT_URI: optionalString().pipe(httpUrl().optional()),
  X_AUTHORIZE_URL: httpUrl().default("https://x.com/i/oauth2/authorize"),
  X_TOKEN_URL: httpUrl().default("https://api.x.com/2/oauth2/token"),
  X_API_URL: httpUrl().default("https://api.x.com"),
  /** Optimism RPC for the Farcaster IdRegistry; without it Farcaster linking answers 503. */
  FARCASTER_RPC_URL: optionalString().pipe(httpUrl().optional()),
  /** The domain Sign In With Farcaster messages must name. Default: the host of FRONTEND_URL. */
  FARCASTER_SIWF_DOMAIN: optionalString(),
  FNAME_SERVER_URL: httpUrl().default("https://fnames.farcaster.xyz"),
});
