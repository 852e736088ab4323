import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { describe, expect, test } from "vitest";
import { computeCid } from "./cid";

const text = (s: string) => new TextEncoder().encode(s);

describe("computeCid matches IPFS", () => {
  test("CIDv0 of well-known files equals what `ipfs add` prints", async () => {
    expect(await computeCid(new Uint8Array(0), 0)).toBe("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH");
    expect(await computeCid(text("hello world\n"), 0)).toBe("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
  });

  test("CIDv1 of a single-chunk file is the raw-leaf sha2-256 CID of its bytes", async () => {
    expect(await computeCid(new Uint8Array(0))).toBe("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
    const bytes = text('{"name":"GLISK S0 #1"}');
    const expected = CID.create(1, raw.code, await sha256.digest(bytes)).toString();
    expect(await computeCid(bytes)).toBe(expected);
  });

  test("a file over one 256 KiB chunk gets a dag-pb root, not a raw CID", async () => {
    const big = new Uint8Array(300 * 1024).fill(7);
    const cid = await computeCid(big);
    expect(cid.startsWith("bafybei")).toBe(true);
    expect(CID.parse(cid).code).toBe(0x70);
  });
});
