/** Small helpers shared by the fake provider servers. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * An HTTP answer injected `times` times, after letting `skip` requests through. `drop` closes the
 * connection without an answer after the request was handled (a response lost on the way back).
 */
export type Fault = {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  times: number;
  skip: number;
  drop?: boolean;
};

/** Queued HTTP faults per route: each answers `times` requests, oldest first. */
export class Faults<R extends string> {
  private queue = new Map<R, Fault[]>();
  push(route: R, fault: Omit<Fault, "times" | "skip"> & { times?: number; skip?: number }) {
    const list = this.queue.get(route) ?? [];
    list.push({ times: 1, skip: 0, ...fault });
    this.queue.set(route, list);
  }
  take(route: R): Fault | undefined {
    const list = this.queue.get(route);
    const head = list?.[0];
    if (!head) return undefined;
    if (head.skip > 0) {
      head.skip -= 1;
      return undefined;
    }
    head.times -= 1;
    if (head.times <= 0) list?.shift();
    return head;
  }
  clear() {
    this.queue.clear();
  }
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const json = typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(json);
}

/** Starts `handler` on a free loopback port; resolves with the server and its origin. */
export async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<{ server: Server; origin: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    handler(req, res).catch((error) => {
      if (!res.headersSent) send(res, 500, { detail: String(error) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
