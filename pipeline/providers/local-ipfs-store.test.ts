import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { computeCid } from "./cid";
import { renderPng } from "./local-image";
import { createLocalStore, readIpfsObject } from "./local-ipfs-store";

const dir = mkdtempSync(path.join(tmpdir(), "glisk-ipfs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("local IPFS store", () => {
  test("stores by CID, reads back the same bytes with their content type, leaves no temp files", async () => {
    const store = createLocalStore(dir);
    const png = renderPng("p", "1");
    const cid = await store.put(png);
    expect(cid).toBe(await computeCid(png, 1));
    expect(await store.put(png)).toBe(cid);
    const object = await readIpfsObject(dir, cid);
    expect(object?.contentType).toBe("image/png");
    expect(Buffer.from(object?.bytes ?? []).equals(Buffer.from(png))).toBe(true);
    const files = readdirSync(path.join(dir, "blocks"), { recursive: true }).map(String);
    expect(files.some((f) => f.endsWith(".tmp"))).toBe(false);
  });

  test("metadata as CIDv0 and unknown or malformed CIDs read as missing", async () => {
    const store = createLocalStore(dir);
    const cid = await store.put(new TextEncoder().encode('{"name":"x"}'), 0);
    expect(cid.startsWith("Qm")).toBe(true);
    expect((await readIpfsObject(dir, cid))?.contentType).toBe("application/json");
    expect(await readIpfsObject(dir, "../../etc/passwd")).toBeUndefined();
    expect(await readIpfsObject(dir, "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")).toBeUndefined();
  });
});
