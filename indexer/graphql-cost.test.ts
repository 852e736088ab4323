import { describe, expect, test } from "vitest";
import { GraphqlRejected, graphqlCost } from "./graphql-cost";

const cost = (query: string, variables?: Record<string, unknown>) => graphqlCost({ query, variables, maxTokens: 1000 });

/** The request that took the indexer down: `author.tokens` nested `levels` times. */
function circular(levels: number, limit = 1000): string {
  let inner = "id";
  for (let i = 0; i < levels; i++) inner = `author { tokens(limit: ${limit}) { items { ${inner} } } }`;
  return `{ token(id: "1") { ${inner} } }`;
}

describe("graphqlCost", () => {
  test("a page costs its limit in rows and one query; a plain lookup costs nothing", () => {
    expect(cost(`{ tokens(limit: 10) { items { id owner } } }`)).toEqual({ depth: 3, queries: 1, rows: 10 });
    expect(cost(`{ token(id: "1") { id author { id } } }`)).toEqual({ depth: 3, queries: 0, rows: 0 });
    // Ponder's default page is 50.
    expect(cost(`{ authors { items { id } } }`).rows).toBe(50);
  });

  test("nested pages multiply: one query per parent row", () => {
    const c = cost(`{ authors(limit: 20) { items { tokens(limit: 30) { items { id } } } } }`);
    expect(c).toEqual({ depth: 5, queries: 21, rows: 20 + 20 * 30 });
  });

  test("the circular author.tokens request is priced far beyond any sane limit", () => {
    expect(cost(circular(2)).rows).toBe(1000 + 1000 * 1000);
    expect(cost(circular(20)).depth).toBe(62);
  });

  test("variables, offsets, totalCount, aliases and fragments all count", () => {
    const c = cost(`query($n: Int) { tokens(limit: $n, offset: 100) { totalCount items { id } } }`, { n: 5 });
    expect(c).toEqual({ depth: 3, queries: 2, rows: 105 + 1000 });
    const aliased = cost(`{ a: tokens(limit: 10) { items { id } } b: tokens(limit: 10) { items { id } } }`);
    expect(aliased.rows).toBe(20);
    const fragment = cost(
      `{ authors(limit: 10) { items { ...A } } } fragment A on author { tokens(limit: 10) { items { id } } }`,
    );
    expect(fragment.rows).toBe(10 + 100);
  });

  test("unreadable documents are refused with the reason", () => {
    expect(() => cost("{ tokens {")).toThrow(GraphqlRejected);
    expect(() => cost(`{ ...A } fragment A on Query { ...A }`)).toThrow(/spreads itself/);
    expect(() => cost(`query A { x } query B { y }`)).toThrow(/one operation/);
    expect(() => graphqlCost({ query: `{ ${"a ".repeat(2000)} }`, maxTokens: 1000 })).toThrow(/1000 tokens/);
  });
});
