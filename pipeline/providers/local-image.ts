/**
 * The offline image provider: a deterministic PNG derived from sha256(prompt, tokenId). Same
 * inputs, same bytes, same CID, with no network and no cost. The default for development and tests.
 */
import { createHash } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";
import type { ImageProvider } from "./image";

const SIZE = 256;

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** A SIZE×SIZE RGB PNG: two colour gradients and a ring pattern picked by the hash. */
export function renderPng(prompt: string, tokenId: string): Uint8Array {
  const seed = createHash("sha256").update(prompt).update("\0").update(tokenId).digest();
  const at = (i: number) => seed[i % seed.length] ?? 0;
  const [r0, g0, b0, r1, g1, b1] = [at(0), at(1), at(2), at(3), at(4), at(5)];
  const rings = 4 + (at(6) % 12);
  const cx = (at(7) / 255) * SIZE;
  const cy = (at(8) / 255) * SIZE;
  const rows = Buffer.alloc((SIZE * 3 + 1) * SIZE);
  for (let y = 0; y < SIZE; y++) {
    const row = y * (SIZE * 3 + 1);
    rows[row] = 0; // filter: none
    for (let x = 0; x < SIZE; x++) {
      const t = (x + y) / (2 * SIZE);
      const d = Math.hypot(x - cx, y - cy) / SIZE;
      const ring = (Math.sin(d * rings * Math.PI * 2) + 1) / 2;
      const o = row + 1 + x * 3;
      rows[o] = Math.round((r0 * (1 - t) + r1 * t) * (0.6 + 0.4 * ring));
      rows[o + 1] = Math.round((g0 * (1 - t) + g1 * t) * (0.6 + 0.4 * ring));
      rows[o + 2] = Math.round((b0 * (1 - t) + b1 * t) * (0.6 + 0.4 * ring));
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(SIZE, 0);
  ihdr.writeUInt32BE(SIZE, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", new Uint8Array(0)),
  ]);
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/** The local provider. */
export function createLocalImageProvider(): ImageProvider {
  return {
    name: "local",
    generate: async ({ prompt, tokenId }) => ({ bytes: renderPng(prompt, tokenId) }),
  };
}
