/**
 * Calling the public author API as a browser does: JSON POSTs exactly as the GLISK web client sends
 * them, and challenges signed by viem local accounts (EOAs) or by a smart wallet's owner.
 */
import type { Address, Hex, LocalAccount } from "viem";

/** POSTs `body` as the web client does: `Content-Type: application/json`, `JSON.stringify(body)`. */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

export type ChallengeRequest = { wallet: Address; action: "prompt" | "x" | "farcaster"; promptText?: string };

/** A challenge for `wallet` from the server at `base`. */
export async function requestChallenge(
  base: string,
  p: ChallengeRequest,
): Promise<{ message: string; expires_at: string }> {
  const response = await postJson(`${base}/api/authors/challenge`, {
    wallet_address: p.wallet,
    action: p.action,
    ...(p.promptText === undefined ? {} : { prompt_text: p.promptText }),
  });
  if (response.status !== 200) throw new Error(`challenge: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as { message: string; expires_at: string };
}

/** A challenge signed by `signer` (an EOA signs for itself; a smart wallet's owner signs for the wallet). */
export async function signedChallenge(
  base: string,
  p: ChallengeRequest & { signer: LocalAccount },
): Promise<{ message: string; signature: Hex }> {
  const { message } = await requestChallenge(base, p);
  return { message, signature: await p.signer.signMessage({ message }) };
}

/** The `{ detail, error }` body of a refused request. */
export async function refusal(response: Response): Promise<{ status: number; code: string; detail: string }> {
  const body = (await response.json()) as { detail: string; error: { code: string; message: string } };
  if (body.detail !== body.error.message) throw new Error("detail and error.message differ");
  return { status: response.status, code: body.error.code, detail: body.detail };
}
