/**
 * The supervisors' stall watch (scripts/lib/indexer-watch.ts) against a stand-in for Ponder's
 * /ready and /status and a stand-in JSON-RPC node: a ready indexer that stays behind is reported
 * once it has lagged for the limit, and so is one that stops answering; one that keeps up, is still
 * in its backfill, or has not answered yet since it started, is not.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { waitFor } from "../scripts/lib/glisk";
import { watchIndexer } from "../scripts/lib/indexer-watch";

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function serve(handler: (url: string) => { status: number; body: unknown }): Promise<string> {
  const server = createServer((req, res) => {
    const { status, body } = handler(req.url ?? "/");
    if (status === 0) return req.socket.destroy(); // a hung or dead process: no answer at all
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const hex = (n: number) => `0x${n.toString(16)}`;

async function scenario(p: { indexedBehind: number; ready: boolean; silent?: () => boolean }) {
  const head = { number: 1_000, timestamp: 2_000_000 };
  const rpcUrl = await serve(() => ({
    status: 200,
    body: { jsonrpc: "2.0", id: 1, result: { number: hex(head.number), timestamp: hex(head.timestamp) } },
  }));
  const indexed = { number: head.number - p.indexedBehind, timestamp: head.timestamp - 2 * p.indexedBehind };
  const indexerUrl = await serve((url) =>
    p.silent?.()
      ? { status: 0, body: "" }
      : url === "/ready"
        ? { status: p.ready ? 200 : 503, body: "" }
        : { status: 200, body: { base: { id: 8453, block: indexed } } },
  );
  const stalls: string[] = [];
  const watch = watchIndexer({
    indexerUrl,
    rpcUrl,
    chainId: 8453,
    maxBlocks: 30,
    maxSeconds: 60,
    restartAfterMs: 300,
    everyMs: 50,
    onStall: (reason) => stalls.push(reason),
  });
  return { stalls, stop: watch.stop };
}

describe("the indexer stall watch", () => {
  test("reports an indexer that stays behind for the limit, with how far", async () => {
    const s = await scenario({ indexedBehind: 100, ready: true });
    try {
      await waitFor(() => s.stalls.length > 0, { message: "a stall" });
      expect(s.stalls[0]).toBe("indexer 100 blocks (200 s) behind the chain head for over 0.3 s");
    } finally {
      s.stop();
    }
  });

  test("leaves alone an indexer within the limits, and one still in its backfill", async () => {
    const close = await scenario({ indexedBehind: 10, ready: true });
    const backfill = await scenario({ indexedBehind: 900, ready: false });
    try {
      await new Promise((r) => setTimeout(r, 800));
      expect(close.stalls).toEqual([]);
      expect(backfill.stalls).toEqual([]);
    } finally {
      close.stop();
      backfill.stop();
    }
  });

  test("reports an indexer that answered and then stopped answering, once, and not one that never answered", async () => {
    let hung = false;
    const s = await scenario({ indexedBehind: 0, ready: true, silent: () => hung });
    const starting = await scenario({ indexedBehind: 0, ready: true, silent: () => true });
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect(s.stalls).toEqual([]);
      hung = true;
      await waitFor(() => s.stalls.length > 0, { message: "a stall" });
      expect(s.stalls[0]).toBe("indexer not answering for over 0.3 s");
      // After a report the restarted indexer gets its start-up time: silence alone is not reported again.
      await new Promise((r) => setTimeout(r, 800));
      expect(s.stalls).toHaveLength(1);
      expect(starting.stalls).toEqual([]);
    } finally {
      s.stop();
      starting.stop();
    }
  });
});
