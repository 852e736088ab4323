/** Waiting for the chain head to reach a block, for tokens whose mint is a block or two short of deep. */
import type { PublicClient } from "viem";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type WaitForBlockParameters = { block: number; timeoutMs: number; pollMs: number; signal?: AbortSignal };

/** The head once it is at least `block`; undefined after `timeoutMs` or when `signal` aborts. */
export async function waitForBlock(chain: PublicClient, p: WaitForBlockParameters): Promise<number | undefined> {
  const deadline = Date.now() + p.timeoutMs;
  for (;;) {
    const head = Number(await chain.getBlockNumber({ cacheTime: 0 }));
    if (head >= p.block) return head;
    if (p.signal?.aborted || Date.now() + p.pollMs > deadline) return undefined;
    await sleep(p.pollMs);
  }
}
