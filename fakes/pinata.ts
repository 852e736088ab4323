/**
 * A fake Pinata v3 upload API for the real `pinata` SDK: POST /v3/files (multipart: file, network,
 * name, keyvalues, cid_version) → `{ data: { id, name, cid, size, mime_type, network, ... } }` with the
 * real CID of the bytes received (v0 or v1, computed like IPFS). 401 without the JWT; queued faults
 * (5xx, 429, ...); counters; every upload kept for inspection.
 */
import { randomUUID } from "node:crypto";
import { computeCid } from "../pipeline/providers/cid";
import { Faults, listen, readBody, send } from "./http";

export type FakeUpload = {
  id: string;
  name: string;
  cid: string;
  size: number;
  mimeType: string;
  network: string;
  cidVersion: string;
  keyvalues: Record<string, string>;
  bytes: Buffer;
};

/** Starts the fake on loopback. `jwt` is the only accepted credential. */
export async function startFakePinata(jwt = "fake.pinata.jwt") {
  /** Added before every response (benchmarks). */
  const behaviour = { latencyMs: 0 };
  const uploads: FakeUpload[] = [];
  const counters = { upload: 0, unauthorized: 0 };
  const faults = new Faults<"upload">();
  let origin = "";
  const http = await listen(async (req, res) => {
    if (behaviour.latencyMs > 0) await new Promise((r) => setTimeout(r, behaviour.latencyMs));
    const url = new URL(req.url ?? "/", origin);
    if (!(req.method === "POST" && url.pathname === "/v3/files")) {
      return send(res, 404, { error: { reason: "NOT_FOUND", details: `no route ${req.method} ${url.pathname}` } });
    }
    counters.upload += 1;
    const raw = await readBody(req);
    if (req.headers.authorization !== `Bearer ${jwt}`) {
      counters.unauthorized += 1;
      return send(res, 401, { error: { reason: "INVALID_CREDENTIALS", details: "Invalid/expired credentials" } });
    }
    const fault = faults.take("upload");
    if (fault)
      return send(res, fault.status, fault.body ?? { error: { reason: "FAULT", details: "injected" } }, fault.headers);
    const form = await new Response(raw, {
      headers: { "content-type": String(req.headers["content-type"]) },
    }).formData();
    const file = form.get("file");
    if (!(file instanceof File))
      return send(res, 400, { error: { reason: "BAD_REQUEST", details: "file is required" } });
    const bytes = Buffer.from(await file.arrayBuffer());
    const cidVersion = String(form.get("cid_version") ?? "v1");
    const cid = await computeCid(bytes, cidVersion === "v0" ? 0 : 1);
    const duplicate = uploads.some((u) => u.cid === cid);
    const upload: FakeUpload = {
      id: randomUUID(),
      name: String(form.get("name") ?? file.name),
      cid,
      size: bytes.length,
      mimeType: file.type || "application/octet-stream",
      network: String(form.get("network") ?? "public"),
      cidVersion,
      keyvalues: JSON.parse(String(form.get("keyvalues") ?? "{}")),
      bytes,
    };
    uploads.push(upload);
    send(res, 200, {
      data: {
        id: upload.id,
        name: upload.name,
        cid,
        size: upload.size,
        created_at: new Date().toISOString(),
        number_of_files: 1,
        mime_type: upload.mimeType,
        group_id: null,
        keyvalues: upload.keyvalues,
        vectorized: false,
        network: upload.network,
        ...(duplicate ? { is_duplicate: true } : {}),
      },
    });
  });
  origin = http.origin;
  return {
    /** For PINATA_UPLOAD_URL. */
    uploadUrl: `${origin}/v3`,
    origin,
    jwt,
    uploads,
    counters,
    faults,
    behaviour,
    reset: () => {
      behaviour.latencyMs = 0;
      uploads.length = 0;
      faults.clear();
      Object.assign(counters, { upload: 0, unauthorized: 0 });
    },
    close: http.close,
  };
}

export type FakePinata = Awaited<ReturnType<typeof startFakePinata>>;
