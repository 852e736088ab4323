import { describe, expect, test } from "vitest";
import { addressSchema } from "./schemas";

const CHECKSUMMED = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

describe("addressSchema", () => {
  test("accepts checksummed and lowercase addresses, answering the checksummed form", () => {
    expect(addressSchema.parse(CHECKSUMMED)).toBe(CHECKSUMMED);
    expect(addressSchema.parse(CHECKSUMMED.toLowerCase())).toBe(CHECKSUMMED);
  });

  test("refuses a mixed-case address whose checksum is wrong, and non-addresses", () => {
    const typo = CHECKSUMMED.replace("F79bf6", "f79bF6");
    const result = addressSchema.safeParse(typo);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message).join()).toMatch(/checksum/);
    expect(addressSchema.safeParse("0x1234").error?.issues.map((i) => i.message)).toEqual(["not an Ethereum address"]);
  });
});
