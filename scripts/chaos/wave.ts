/**
 * A wave of mints, as collectors make them: several minters at once, for several prompt authors (one
 * without a prompt, so DEFAULT_PROMPT is used). A wave has two halves: the first is minted before the
 * fault, the second while it lasts or right after it. One more author's prompt is refused by the fake
 * provider as NSFW, for the provider-fault phase.
 */
import type { Address } from "viem";
import { anvilAccount, mint } from "../lib/glisk";

/** The text the fake provider refuses as NSFW when a prompt contains it. */
export const NSFW_MARK = "[chaos: refused as nsfw]";

/** Prompt authors: anvil accounts that never sign anything here; the last has no prompt. */
export const AUTHORS = {
  lighthouse: { address: anvilAccount(3).address, prompt: "a lighthouse in the fog, oil painting" },
  orchard: { address: anvilAccount(4).address, prompt: "an orchard of glass trees at dawn, watercolour" },
  harbour: { address: anvilAccount(7).address, prompt: "a harbour of paper boats under a copper moon" },
  silent: { address: anvilAccount(9).address, prompt: undefined },
  refused: { address: anvilAccount(11).address, prompt: `a scene the model refuses ${NSFW_MARK}` },
} as const;

export type MintOrder = { minter: number; author: Address; quantity: number };
export type WavePlan = { first: MintOrder[]; second: MintOrder[] };

/** The wave of every phase: `full` mints 8 tokens, `short` 6. */
export function wavePlan(size: "full" | "short", extra: MintOrder[] = []): WavePlan {
  const { lighthouse, orchard, harbour, silent } = AUTHORS;
  if (size === "short") {
    return {
      first: [
        { minter: 2, author: lighthouse.address, quantity: 2 },
        { minter: 5, author: orchard.address, quantity: 2 },
      ],
      second: [
        { minter: 6, author: harbour.address, quantity: 1 },
        { minter: 8, author: silent.address, quantity: 1 },
        ...extra,
      ],
    };
  }
  return {
    first: [
      { minter: 2, author: lighthouse.address, quantity: 2 },
      { minter: 5, author: orchard.address, quantity: 2 },
      { minter: 6, author: harbour.address, quantity: 1 },
    ],
    second: [
      { minter: 8, author: silent.address, quantity: 2 },
      { minter: 2, author: orchard.address, quantity: 1 },
      ...extra,
    ],
  };
}

export type Minted = { ids: bigint[]; blocks: bigint[]; lastMinedAt: number };

/** Mints every order: the minters in parallel, each minter's orders one after the other. */
export async function mintOrders(p: { rpcUrl: string; contract: Address; orders: MintOrder[] }): Promise<Minted> {
  const byMinter = new Map<number, MintOrder[]>();
  for (const order of p.orders) byMinter.set(order.minter, [...(byMinter.get(order.minter) ?? []), order]);
  const minted: Minted = { ids: [], blocks: [], lastMinedAt: 0 };
  await Promise.all(
    [...byMinter.entries()].map(async ([minter, orders]) => {
      for (const order of orders) {
        const result = await mint({
          rpcUrl: p.rpcUrl,
          address: p.contract,
          author: order.author,
          quantity: order.quantity,
          minter: anvilAccount(minter),
        });
        minted.ids.push(...result.tokenIds);
        minted.blocks.push(result.blockNumber);
        minted.lastMinedAt = Math.max(minted.lastMinedAt, Date.now());
      }
    }),
  );
  minted.ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return minted;
}
