import { crc32, inflateSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { renderPng, renderPngAsync } from "./local-image";

/** The chunks of a PNG, checking each CRC. */
function chunks(png: Buffer): { type: string; data: Buffer }[] {
  const out = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString("ascii", at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length), `${type} CRC`).toBe(crc32(png.subarray(at + 4, at + 8 + length)) >>> 0);
    out.push({ type, data });
    at += 12 + length;
  }
  return out;
}

describe("renderPng", () => {
  test("is a valid 256×256 RGB PNG whose rows unfilter to the same pixels for the same inputs", () => {
    const png = Buffer.from(renderPng("a lighthouse", "7"));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const parts = chunks(png);
    expect(parts.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
    const ihdr = parts[0]?.data as Buffer;
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9]]).toEqual([256, 256, 8, 2]);
    const rows = inflateSync(parts[1]?.data as Buffer);
    expect(rows.length).toBe((256 * 3 + 1) * 256);
    // Every row uses the Sub filter; unfiltered, neighbouring pixels of the smooth image stay close.
    const pixels: number[] = [];
    for (let y = 0; y < 256; y++) {
      expect(rows[y * 769]).toBe(1);
      for (let i = 1; i < 769; i++) {
        const left = i > 3 ? (pixels[y * 768 + i - 4] ?? 0) : 0;
        pixels.push(((rows[y * 769 + i] ?? 0) + left) & 255);
      }
    }
    const jumps = pixels.filter((v, i) => i % 768 >= 3 && Math.abs(v - (pixels[i - 3] ?? 0)) > 64).length;
    expect(jumps).toBeLessThan(pixels.length / 100);
    expect(new Set(pixels).size).toBeGreaterThan(32);
  });

  test("is the same bytes whether compressed on the event loop or the thread pool", async () => {
    expect(Buffer.from(await renderPngAsync("p", "3")).equals(Buffer.from(renderPng("p", "3")))).toBe(true);
  });

  test("differs by prompt and by token id", () => {
    const a = Buffer.from(renderPng("p", "1"));
    expect(Buffer.from(renderPng("p", "1")).equals(a)).toBe(true);
    expect(Buffer.from(renderPng("p", "2")).equals(a)).toBe(false);
    expect(Buffer.from(renderPng("q", "1")).equals(a)).toBe(false);
  });
});
