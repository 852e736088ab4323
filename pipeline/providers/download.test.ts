import { describe, expect, test } from "vitest";
import { isAllowedHost, isPublicAddress } from "./download";

describe("download guards", () => {
  test("allowed hosts: replicate.delivery, its subdomains and configured names", () => {
    expect(isAllowedHost("replicate.delivery", [])).toBe(true);
    expect(isAllowedHost("pbxt.replicate.delivery", [])).toBe(true);
    expect(isAllowedHost("evilreplicate.delivery", [])).toBe(false);
    expect(isAllowedHost("replicate.delivery.evil.com", [])).toBe(false);
    expect(isAllowedHost("cdn.example.com", ["*.example.com"])).toBe(true);
    expect(isAllowedHost("example.com", ["*.example.com"])).toBe(false);
    expect(isAllowedHost("img.host", ["img.host"])).toBe(true);
  });

  test("private, loopback and link-local addresses are refused", () => {
    for (const ip of [
      "10.1.2.3",
      "127.0.0.1",
      "169.254.169.254",
      "172.16.0.1",
      "192.168.1.1",
      "::1",
      "fe80::1",
      "fd00::1",
      "::ffff:127.0.0.1",
      "0.0.0.0",
      "100.64.0.1",
    ]) {
      expect(isPublicAddress(ip), ip).toBe(false);
    }
    expect(isPublicAddress("8.8.8.8")).toBe(true);
    expect(isPublicAddress("2606:4700::1111")).toBe(true);
  });

  test("loopback only when allowed, private ranges never", () => {
    expect(isPublicAddress("127.0.0.1", true)).toBe(true);
    expect(isPublicAddress("::1", true)).toBe(true);
    expect(isPublicAddress("10.0.0.1", true)).toBe(false);
  });
});
