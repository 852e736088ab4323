/**
 * A TCP proxy in front of a local service (the RPC node, Redis, Postgres) whose faults are switched
 * from outside the processes under test:
 * - `pass`: bytes flow both ways;
 * - `blackhole`: new connections are accepted and never answered, open ones stop forwarding (a
 *   network partition: callers wait for their timeouts);
 * - `refuse`: the port is closed, so connections are refused at once; open ones are cut.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export type ProxyMode = "pass" | "blackhole" | "refuse";

export type TcpProxy = {
  port: number;
  url: (scheme?: string) => string;
  mode: () => ProxyMode;
  setMode: (mode: ProxyMode) => Promise<void>;
  close: () => Promise<void>;
};

/** Starts a proxy on a free loopback port (or `port`) forwarding to `target` (host:port). */
export async function startTcpProxy(p: { targetPort: number; targetHost?: string; port?: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let mode: ProxyMode = "pass";
  let server: Server | undefined;
  let port = p.port ?? 0;

  const onConnection = (client: Socket) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    if (mode === "blackhole") return; // held open, never answered
    const upstream = connect(p.targetPort, p.targetHost ?? "127.0.0.1");
    sockets.add(upstream);
    upstream.on("close", () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    // While black-holed, data stops flowing both ways but the sockets stay open.
    client.on("data", (chunk) => mode === "pass" && upstream.write(chunk));
    upstream.on("data", (chunk) => mode === "pass" && client.write(chunk));
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer(onConnection);
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        const address = s.address();
        if (typeof address === "object" && address) port = address.port;
        server = s;
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = undefined;
      if (!s) return resolve();
      s.close(() => resolve());
    });
  const cutAll = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };

  await listen();
  return {
    port,
    url: (scheme = "http") => `${scheme}://127.0.0.1:${port}`,
    mode: () => mode,
    setMode: async (next) => {
      if (next === mode) return;
      const previous = mode;
      mode = next;
      if (next === "refuse") {
        cutAll();
        await stopListening();
      } else if (previous === "refuse") {
        await listen();
      }
      if (previous === "blackhole" && next === "pass") cutAll(); // held connections would never recover
    },
    close: async () => {
      cutAll();
      await stopListening();
    },
  };
}
