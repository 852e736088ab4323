import { toHex } from "viem";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { describe, expect, test } from "vitest";
import { ANVIL_KEYS, anvilKey } from "./anvil-keys";

describe("ANVIL_KEYS", () => {
  test("are the keys anvil derives from its mnemonic, in account order", () => {
    ANVIL_KEYS.forEach((key, i) => {
      const account = mnemonicToAccount("test test test test test test test test test test test junk", {
        addressIndex: i,
      });
      expect(toHex(account.getHdKey().privateKey as Uint8Array)).toBe(key);
      expect(privateKeyToAccount(key).address).toBe(account.address);
    });
  });

  test("anvilKey refuses an account anvil does not have", () => {
    expect(anvilKey(1)).toBe(ANVIL_KEYS[1]);
    expect(() => anvilKey(10)).toThrow(/accounts 0 to 9/);
  });
});
