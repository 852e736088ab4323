/** Content types from the bytes themselves; headers from a provider are never trusted. */

export type ImageMime = "image/png" | "image/jpeg" | "image/webp";

const startsWith = (bytes: Uint8Array, prefix: readonly number[], offset = 0) =>
  bytes.length >= offset + prefix.length && prefix.every((b, i) => bytes[offset + i] === b);

/** The image type from its magic numbers (PNG, JPEG, WebP), or undefined for anything else. */
export function sniffImageMime(bytes: Uint8Array): ImageMime | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  // RIFF....WEBP
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) {
    return "image/webp";
  }
  return undefined;
}

/** File extension for a sniffed image type. */
export const extensionFor = (mime: ImageMime): string =>
  mime === "image/png" ? "png" : mime === "image/jpeg" ? "jpg" : "webp";

/** Content type for bytes served from the local IPFS store: an image type, JSON, or octet-stream. */
export function sniffContentType(bytes: Uint8Array): string {
  const image = sniffImageMime(bytes);
  if (image) return image;
  const first = bytes.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  if (first === 0x7b || first === 0x5b) {
    try {
      JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
      return "application/json";
    } catch {
      // not JSON after all
    }
  }
  return "application/octet-stream";
}
