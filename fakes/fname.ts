/**
 * A fake Farcaster fname registry server (fnames.farcaster.xyz) speaking its wire format:
 * - GET /transfers/current?name=<fname> → `{ transfer: { id, timestamp, username, owner, from, to,
 *   user_signature, server_signature } }`, the name's latest transfer (`to` is the owning fid);
 *   404 `{ error: "No transfer found" }` for a name never registered or burned (`to` 0).
 * - GET /transfers/current?fid=<fid> → the fid's current name the same way; 404
 *   `{ error: "Could not resolve current name" }`; 400 `{ error: "FID is not a number" }`.
 * `register(name, fid)` records a transfer to `fid` (0 burns the name).
 */
import { listen, send } from "./http";

type Transfer = {
  id: number;
  timestamp: number;
  username: string;
  owner: string;
  from: number;
  to: number;
  user_signature: string;
  server_signature: string;
};

export async function startFakeFnames() {
  const transfers: Transfer[] = [];
  const counters = { current: 0 };
  const behaviour = { down: false };
  const latest = (name: string) => transfers.filter((t) => t.username === name).at(-1);

  const http = await listen(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake-fnames");
    if (req.method !== "GET" || url.pathname !== "/transfers/current") return send(res, 404, { error: "Not found" });
    counters.current += 1;
    if (behaviour.down) return send(res, 502, "Bad Gateway", { "content-type": "text/plain" });
    const name = url.searchParams.get("name");
    if (name !== null) {
      const transfer = latest(name);
      if (!transfer || transfer.to === 0) return send(res, 404, { error: "No transfer found" });
      return send(res, 200, { transfer });
    }
    const fid = Number(url.searchParams.get("fid"));
    if (!Number.isInteger(fid)) return send(res, 400, { error: "FID is not a number" });
    const current = transfers.filter((t) => t.to === fid).at(-1);
    if (!current || latest(current.username) !== current) {
      return send(res, 404, { error: "Could not resolve current name" });
    }
    return send(res, 200, { transfer: current });
  });

  return {
    url: http.origin,
    counters,
    behaviour,
    /** Transfers `name` to `fid` (from its current owner); fid 0 burns it. */
    register(name: string, fid: number, owner = "0x0000000000000000000000000000000000000000") {
      transfers.push({
        id: transfers.length + 1,
        timestamp: Math.floor(Date.now() / 1000),
        username: name,
        owner,
        from: latest(name)?.to ?? 0,
        to: fid,
        user_signature: `0x${"11".repeat(65)}`,
        server_signature: `0x${"22".repeat(65)}`,
      });
    },
    close: http.close,
  };
}

export type FakeFnames = Awaited<ReturnType<typeof startFakeFnames>>;
