import { describe, expect, test } from "vitest";
import { foldRepeats, ponderWarningKind } from "./fold-repeats";

const warning = (msg: string, extra = "") => `{"level":40,"time":1,"msg":"${msg}"${extra}}`;

describe("foldRepeats", () => {
  test("the first line of a kind passes, its repeats are counted into one summary", () => {
    const written: string[] = [];
    const fold = foldRepeats({ kind: ponderWarningKind, windowMs: 60_000, write: (l) => written.push(l) });
    const rpc = warning("Received JSON-RPC error", ',"retry_count":1');
    expect(fold.line(rpc)).toBe(rpc);
    for (let i = 0; i < 44; i++) expect(fold.line(rpc)).toBeUndefined();
    const other = warning("No new block received within expected time");
    expect(fold.line(other)).toBe(other);
    const info = '{"level":30,"msg":"Indexed block"}';
    expect(fold.line(info)).toBe(info);
    const error = '{"level":50,"msg":"Received JSON-RPC error"}';
    expect(fold.line(error)).toBe(error);
    expect(written).toEqual([]);
    fold.flush();
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0] as string)).toMatchObject({
      level: 40,
      msg: "Received JSON-RPC error",
      repeated: 44,
    });
    // A new window starts with a line that passes again.
    expect(fold.line(rpc)).toBe(rpc);
  });

  test("a kind seen once writes no summary", () => {
    const written: string[] = [];
    const fold = foldRepeats({ kind: ponderWarningKind, windowMs: 60_000, write: (l) => written.push(l) });
    fold.line(warning("Schema is locked by a different Ponder app"));
    fold.flush();
    expect(written).toEqual([]);
  });
});

describe("ponderWarningKind", () => {
  test("Ponder's JSON warnings by message; anything else has no kind", () => {
    expect(ponderWarningKind(warning("Received JSON-RPC error"))).toBe("Received JSON-RPC error");
    expect(ponderWarningKind('{"level":50,"msg":"Fatal"}')).toBeUndefined();
    expect(ponderWarningKind('{"level":40,"msg":')).toBeUndefined();
    expect(ponderWarningKind("(node:1) DeprecationWarning: level 40")).toBeUndefined();
  });
});
