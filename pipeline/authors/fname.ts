/**
 * Who owns a Farcaster username, by the fname registry server (`GET /transfers/current?name=`): the
 * latest transfer of the name, whose `to` is the owning fid. A burned or never-registered name is a 404.
 */
import { ApiError } from "../../common/http-errors";
import type { AuthorServices } from "./services";

/** An fname: lowercase letters, digits and hyphens, at most 16 characters (Farcaster's rule). */
export const FNAME = /^[a-z0-9][a-z0-9-]{0,15}$/;

type Transfer = { transfer?: { username?: unknown; to?: unknown } };

/** The fid that owns `name` now, or undefined when nobody does; 503 when the registry cannot be asked. */
export async function fnameOwner(s: Pick<AuthorServices, "config">, name: string): Promise<number | undefined> {
  const url = new URL("/transfers/current", s.config.FNAME_SERVER_URL);
  url.searchParams.set("name", name);
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(10_000) });
  } catch {
    throw unavailable();
  }
  if (response.status === 404) return undefined;
  if (!response.ok) throw unavailable();
  const body = (await response.json().catch(() => ({}))) as Transfer;
  const { username, to } = body.transfer ?? {};
  if (username !== name || typeof to !== "number") throw unavailable();
  return to === 0 ? undefined : to;
}

const unavailable = () =>
  new ApiError(503, "fname_unavailable", "the Farcaster name registry cannot be reached to check the username; retry");
