/**
 * The offline image provider: a deterministic PNG derived from sha256(prompt, tokenId). Same
 * inputs, same bytes, same CID, with no network and no cost. The default for development and tests.
 */
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { crc32, deflate, deflateSync } from "node:zlib";
import type { ImageProvider } from "./image";

const SIZE = 256;
const DEFLATE = { level: 1 };
const deflateAsync = promisify(deflate);
/** Squared distances are bucketed by 2^SHADE_SHIFT for the ring shading table. */
const SHADE_SHIFT = 4;

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * The filtered scanlines of a SIZE×SIZE RGB image: two colour gradients and a ring pattern picked by
 * the hash. Cheap on purpose (well under a millisecond): the diagonal gradient and the ring shading
 * come from lookup tables, so a surge of local mints measures the pipeline, not this stand-in.
 */
function scanlines(prompt: string, tokenId: string): Buffer {
  const seed = createHash("sha256").update(prompt).update("\0").update(tokenId).digest();
  const at = (i: number) => seed[i % seed.length] ?? 0;
  const [r0, g0, b0, r1, g1, b1] = [at(0), at(1), at(2), at(3), at(4), at(5)];
  const rings = 4 + (at(6) % 12);
  const cx = Math.round((at(7) / 255) * SIZE);
  const cy = Math.round((at(8) / 255) * SIZE);
  // Colour by x + y (the diagonal gradient), shading by squared distance to the centre (the rings).
  const gradient = new Uint8Array(2 * SIZE * 3);
  for (let s = 0; s < 2 * SIZE; s++) {
    const t = s / (2 * SIZE);
    gradient[s * 3] = r0 * (1 - t) + r1 * t;
    gradient[s * 3 + 1] = g0 * (1 - t) + g1 * t;
    gradient[s * 3 + 2] = b0 * (1 - t) + b1 * t;
  }
  const shade = new Float32Array(((2 * SIZE * SIZE) >> SHADE_SHIFT) + 1);
  for (let k = 0; k < shade.length; k++) {
    const d = Math.sqrt(k << SHADE_SHIFT) / SIZE;
    shade[k] = 0.6 + 0.2 * (Math.sin(d * rings * Math.PI * 2) + 1);
  }
  // Rows use PNG's Sub filter (each byte minus the same channel of the pixel to its left): the
  // smooth image then deflates to a third of the size, and faster.
  const rows = Buffer.alloc((SIZE * 3 + 1) * SIZE);
  for (let y = 0; y < SIZE; y++) {
    const row = y * (SIZE * 3 + 1);
    rows[row] = 1;
    const dy = (y - cy) * (y - cy);
    const left = [0, 0, 0];
    for (let x = 0; x < SIZE; x++) {
      const light = shade[((x - cx) * (x - cx) + dy) >> SHADE_SHIFT] ?? 1;
      const g = (x + y) * 3;
      const o = row + 1 + x * 3;
      for (let c = 0; c < 3; c++) {
        const v = ((gradient[g + c] ?? 0) * light) | 0;
        rows[o + c] = (v - (left[c] ?? 0)) & 255;
        left[c] = v;
      }
    }
  }
  return rows;
}

/** The PNG file around deflated scanlines. */
function pngFile(idat: Uint8Array): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(SIZE, 0);
  ihdr.writeUInt32BE(SIZE, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", idat),
    chunk("IEND", new Uint8Array(0)),
  ]);
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/** The deterministic PNG for (prompt, token id). */
export function renderPng(prompt: string, tokenId: string): Uint8Array {
  return pngFile(deflateSync(scanlines(prompt, tokenId), DEFLATE));
}

/** The same PNG, compressed on libuv's thread pool: the event loop stays free for the other jobs. */
export async function renderPngAsync(prompt: string, tokenId: string): Promise<Uint8Array> {
  return pngFile(await deflateAsync(scanlines(prompt, tokenId), DEFLATE));
}

/** The local provider. */
export function createLocalImageProvider(): ImageProvider {
  return {
    name: "local",
    generate: async ({ prompt, tokenId }) => ({ bytes: await renderPngAsync(prompt, tokenId) }),
  };
}
