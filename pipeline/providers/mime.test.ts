import { describe, expect, test } from "vitest";
import { renderPng } from "./local-image";
import { sniffContentType, sniffImageMime } from "./mime";

const bytes = (...b: number[]) => new Uint8Array(b);

describe("MIME types from magic numbers", () => {
  test("recognises PNG, JPEG and WebP", () => {
    expect(sniffImageMime(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0))).toBe("image/png");
    expect(sniffImageMime(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe("image/jpeg");
    const webp = new TextEncoder().encode("RIFF\x10\x00\x00\x00WEBPVP8 ");
    expect(sniffImageMime(webp)).toBe("image/webp");
  });

  test("refuses other types whatever they claim to be", () => {
    expect(sniffImageMime(new TextEncoder().encode("<html>"))).toBeUndefined();
    expect(sniffImageMime(new TextEncoder().encode("GIF89a"))).toBeUndefined();
    expect(sniffImageMime(new TextEncoder().encode("RIFF\x10\x00\x00\x00WAVE"))).toBeUndefined();
    expect(sniffImageMime(bytes(0x89, 0x50))).toBeUndefined();
  });

  test("the local provider's PNG is a PNG and deterministic per prompt and token", () => {
    const a = renderPng("prompt", "1");
    expect(sniffImageMime(a)).toBe("image/png");
    expect(Buffer.from(renderPng("prompt", "1")).equals(Buffer.from(a))).toBe(true);
    expect(Buffer.from(renderPng("prompt", "2")).equals(Buffer.from(a))).toBe(false);
  });

  test("content types for the local gateway", () => {
    expect(sniffContentType(new TextEncoder().encode('{"a":1}'))).toBe("application/json");
    expect(sniffContentType(new TextEncoder().encode("{not json"))).toBe("application/octet-stream");
  });
});
