import { describe, expect, test } from "vitest";
import { parseConfig } from "./index";

const base = { GLISK_CONTRACT_ADDRESS: "0x5FbDB2315678afecb367f032d93F642f64180aa3", GLISK_START_BLOCK: "1" };

describe("parseConfig", () => {
  test("runs offline on defaults: local providers, PGlite, anvil", () => {
    const config = parseConfig(base);
    expect(config.IMAGE_PROVIDER).toBe("local");
    expect(config.IPFS_PROVIDER).toBe("local");
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.network).toMatchObject({ name: "anvil", chainId: 31337, rpcUrl: "http://127.0.0.1:8545" });
    expect(config.METADATA_CID_VERSION).toBe(0);
    expect(config.REVEAL_GAS_BUDGET).toBe(16_000_000);
    expect(config.IMAGE_RATE_LIMIT_PER_MINUTE).toBe(0);
  });

  test("limits Replicate to its documented 600 creates a minute unless told otherwise", () => {
    const replicate = { ...base, REPLICATE_API_TOKEN: "r8_x" };
    expect(parseConfig(replicate).IMAGE_RATE_LIMIT_PER_MINUTE).toBe(600);
    expect(parseConfig({ ...replicate, IMAGE_RATE_LIMIT_PER_MINUTE: "120" }).IMAGE_RATE_LIMIT_PER_MINUTE).toBe(120);
    expect(parseConfig({ ...replicate, IMAGE_RATE_LIMIT_PER_MINUTE: "0" }).IMAGE_RATE_LIMIT_PER_MINUTE).toBe(0);
    expect(() => parseConfig({ ...replicate, IMAGE_RATE_LIMIT_PER_MINUTE: "-1" })).toThrow(
      /IMAGE_RATE_LIMIT_PER_MINUTE/,
    );
  });

  test("keeps reveal transactions under the EIP-7825 gas cap and names a removed variable", () => {
    expect(() => parseConfig({ ...base, REVEAL_GAS_BUDGET: "16777217" })).toThrow(/REVEAL_GAS_BUDGET/);
    expect(parseConfig({ ...base, REVEAL_GAS_BUDGET: "16777216" }).REVEAL_GAS_BUDGET).toBe(16_777_216);
    expect(() => parseConfig({ ...base, BATCH_REVEAL_MAX_TOKENS: "50" })).toThrow(
      /BATCH_REVEAL_MAX_TOKENS is no longer read: .*REVEAL_GAS_BUDGET/,
    );
    expect(parseConfig({ ...base, BATCH_REVEAL_MAX_TOKENS: "" }).REVEAL_GAS_BUDGET).toBe(16_000_000);
  });

  test("picks Replicate and Pinata when their credentials are set", () => {
    const config = parseConfig({ ...base, REPLICATE_API_TOKEN: "r8_x", PINATA_JWT: "jwt" });
    expect(config.IMAGE_PROVIDER).toBe("replicate");
    expect(config.IPFS_PROVIDER).toBe("pinata");
  });

  test("lists every problem at once", () => {
    const attempt = () =>
      parseConfig({
        ...base,
        PORT: "0",
        REVEAL_GAS_BUDGET: "many",
        METADATA_CID_VERSION: "2",
        LOG_LEVEL: "loud",
      });
    expect(attempt).toThrow(/PORT/);
    expect(attempt).toThrow(/REVEAL_GAS_BUDGET/);
    expect(attempt).toThrow(/METADATA_CID_VERSION/);
    expect(attempt).toThrow(/LOG_LEVEL/);
  });

  test("lists malformed values, network problems and cross-variable rules together", () => {
    const attempt = () =>
      parseConfig({
        GLISK_NETWORK: "base",
        PORT: "abc",
        NODE_ENV: "production",
        KEEPER_PRIVATE_KEY: "0x1234",
      });
    expect(attempt).toThrow(/- PORT:/);
    expect(attempt).toThrow(/PONDER_RPC_URL_8453/);
    expect(attempt).toThrow(/- ADMIN_API_TOKEN \(at least 16 characters\) is required/);
    expect(attempt).toThrow(/- KEEPER_PRIVATE_KEY must be 0x/);
  });

  test("refuses production without an admin token, and providers without credentials", () => {
    expect(() => parseConfig({ ...base, NODE_ENV: "production" })).toThrow(/ADMIN_API_TOKEN/);
    expect(() => parseConfig({ ...base, IMAGE_PROVIDER: "replicate" })).toThrow(/REPLICATE_API_TOKEN/);
    expect(() => parseConfig({ ...base, IPFS_PROVIDER: "pinata" })).toThrow(/PINATA_JWT/);
    expect(() => parseConfig({ ...base, KEEPER_PRIVATE_KEY: "0x1234" })).toThrow(/KEEPER_PRIVATE_KEY must be/);
  });

  test("never echoes a secret value in its errors", () => {
    const secret = "0xnot-a-key-but-secret-looking-value";
    expect(() => parseConfig({ ...base, KEEPER_PRIVATE_KEY: secret })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secret) }),
    );
  });

  test("uses the Base presets and requires their RPC", () => {
    expect(() => parseConfig({ GLISK_NETWORK: "base" })).toThrow(/PONDER_RPC_URL_8453/);
    const config = parseConfig({ GLISK_NETWORK: "base", PONDER_RPC_URL_8453: "https://rpc.example" });
    expect(config.network).toMatchObject({
      chainId: 8453,
      address: "0xb43185E67D4Fb27115AC419C9F8A335cC0B837B9",
      startBlock: 37432871,
    });
    expect(() => parseConfig({ GLISK_NETWORK: "mainnet" })).toThrow(/GLISK_NETWORK must be one of/);
  });

  test("author API URLs derive from the web client's origin unless set", () => {
    const config = parseConfig({ ...base, FRONTEND_URL: "https://glisk.xyz/" });
    expect(config).toMatchObject({
      FRONTEND_URL: "https://glisk.xyz",
      PUBLIC_URL: "https://glisk.xyz",
      X_REDIRECT_URI: "https://glisk.xyz/api/authors/x/callback",
      FARCASTER_SIWF_DOMAIN: "glisk.xyz",
      AUTHOR_LEGACY_MESSAGES: false,
      TRUST_PROXY_HOPS: 0,
    });
    const split = parseConfig({ ...base, FRONTEND_URL: "https://glisk.xyz", PUBLIC_URL: "https://api.glisk.xyz" });
    expect(split.X_REDIRECT_URI).toBe("https://api.glisk.xyz/api/authors/x/callback");
    expect(split.FARCASTER_SIWF_DOMAIN).toBe("glisk.xyz");
  });

  test("refuses origins with a path, non-origins in the CORS list and an X secret without a client id", () => {
    const attempt = () =>
      parseConfig({
        ...base,
        PUBLIC_URL: "https://glisk.xyz/app",
        PUBLIC_CORS_ORIGINS: "https://a.example,ftp://b.example",
        X_CLIENT_SECRET: "a-secret-value",
      });
    expect(attempt).toThrow(/- PUBLIC_URL: an origin only/);
    expect(attempt).toThrow(/- PUBLIC_CORS_ORIGINS\.1:/);
    expect(attempt).toThrow(/X_CLIENT_SECRET is set without X_CLIENT_ID/);
    expect(attempt).toThrow(expect.objectContaining({ message: expect.not.stringContaining("a-secret-value") }));
  });
});
