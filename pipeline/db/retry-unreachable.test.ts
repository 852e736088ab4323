import { describe, expect, test } from "vitest";
import { isDatabaseUnreachable, retryUnreachable } from "./retry-unreachable";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("isDatabaseUnreachable", () => {
  test("a refused, cut or not-yet-ready server is unreachable", () => {
    expect(isDatabaseUnreachable(withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED"))).toBe(true);
    expect(isDatabaseUnreachable(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isDatabaseUnreachable(withCode("terminating connection due to administrator command", "57P01"))).toBe(true);
    expect(isDatabaseUnreachable(withCode("the database system is starting up", "57P03"))).toBe(true);
    expect(isDatabaseUnreachable(withCode("connection failure", "08006"))).toBe(true);
    expect(isDatabaseUnreachable(new AggregateError([withCode("refused", "ECONNREFUSED")]))).toBe(true);
  });

  test("a statement the server refused is not", () => {
    expect(isDatabaseUnreachable(withCode('syntax error at or near "selec"', "42601"))).toBe(false);
    expect(isDatabaseUnreachable(withCode("duplicate key value violates unique constraint", "23505"))).toBe(false);
    expect(isDatabaseUnreachable(new Error("token 7 was re-minted"))).toBe(false);
    expect(isDatabaseUnreachable("Connection terminated")).toBe(false);
  });
});

describe("retryUnreachable", () => {
  test("retries while the database is unreachable, then returns what the write returns", async () => {
    let calls = 0;
    const seen: unknown[] = [];
    const result = await retryUnreachable(
      async () => {
        calls += 1;
        if (calls < 3) throw withCode("connect ECONNREFUSED", "ECONNREFUSED");
        return "stored";
      },
      { onUnreachable: (error) => seen.push(error) },
    );
    expect(result).toBe("stored");
    expect(calls).toBe(3);
    expect(seen).toHaveLength(2);
  });

  test("any other error is thrown at once", async () => {
    let calls = 0;
    const write = async () => {
      calls += 1;
      throw withCode("duplicate key", "23505");
    };
    await expect(retryUnreachable(write)).rejects.toThrow("duplicate key");
    expect(calls).toBe(1);
  });

  test("gives up with the last error once the outage outlasts timeoutMs, or when aborted", async () => {
    const refused = async () => {
      throw withCode("connect ECONNREFUSED", "ECONNREFUSED");
    };
    await expect(retryUnreachable(refused, { timeoutMs: 0 })).rejects.toThrow("ECONNREFUSED");
    await expect(retryUnreachable(refused, { signal: AbortSignal.abort() })).rejects.toThrow("ECONNREFUSED");
  });
});
