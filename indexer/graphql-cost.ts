/**
 * What one GraphQL request would cost Ponder, estimated before it runs. Ponder resolves a plural
 * field (a page: `items`, `pageInfo`, `totalCount`) with one SQL query per parent row and no
 * batching, so nested pages multiply: `authors(limit:1000){items{tokens(limit:1000){items{id}}}}`
 * is 1,001 queries and up to 1,001,000 rows from a few dozen characters, and the circular
 * `token.author.tokens` relation lets that nest without end. Ponder itself only limits tokens (1000),
 * depth (100) and aliases (30).
 *
 * The estimate walks the operation (fragments followed, aliases counted separately, variables read)
 * and sums, for every page field, the queries it runs (its parents' row count) and the rows they may
 * read (parents × (limit + offset), `totalCount` as a scan of up to 1,000 rows each).
 */
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  Kind,
  parse,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";

/** Ponder's page size when `limit` is not given, and its largest. */
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1_000;
const COUNT_COST = 1_000;
const PAGE_FIELDS = new Set(["items", "pageInfo", "totalCount"]);

export type GraphqlCost = { depth: number; queries: number; rows: number };

export class GraphqlRejected extends Error {
  override name = "GraphqlRejected";
}

export type GraphqlCostParameters = {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  /** Lexer tokens allowed in the document (Ponder's own limit is 1,000). */
  maxTokens: number;
};

/** The cost of the selected operation; throws GraphqlRejected when the document cannot be read. */
export function graphqlCost(p: GraphqlCostParameters): GraphqlCost {
  let document: DocumentNode;
  try {
    document = parse(p.query, { maxTokens: p.maxTokens, noLocation: true });
  } catch (error) {
    throw new GraphqlRejected((error as Error).message);
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = p.operationName
    ? operations.find((o) => o.name?.value === p.operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  if (!operation) throw new GraphqlRejected("the document must hold one operation, or name it in operationName");
  const cost: GraphqlCost = { depth: 0, queries: 0, rows: 0 };
  const walk = { fragments, variables: p.variables ?? {}, cost, visiting: new Set<string>() };
  visit(walk, operation.selectionSet, { depth: 0, multiplier: 1 });
  return cost;
}

type Walk = {
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  cost: GraphqlCost;
  /** Fragments on the current path: a cycle is invalid GraphQL and would never end. */
  visiting: Set<string>;
};

function visit(w: Walk, set: SelectionSetNode, at: { depth: number; multiplier: number }): void {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) visitField(w, selection, at);
    else if (selection.kind === Kind.INLINE_FRAGMENT) visit(w, selection.selectionSet, at);
    else {
      const name = selection.name.value;
      const fragment = w.fragments.get(name);
      if (!fragment) throw new GraphqlRejected(`unknown fragment "${name}"`);
      if (w.visiting.has(name)) throw new GraphqlRejected(`fragment "${name}" spreads itself`);
      w.visiting.add(name);
      visit(w, fragment.selectionSet, at);
      w.visiting.delete(name);
    }
  }
}

function visitField(w: Walk, field: FieldNode, at: { depth: number; multiplier: number }): void {
  const depth = at.depth + 1;
  w.cost.depth = Math.max(w.cost.depth, depth);
  const set = field.selectionSet;
  if (!set) return;
  const page = set.selections.some((s) => s.kind === Kind.FIELD && PAGE_FIELDS.has(s.name.value));
  if (!page) {
    visit(w, set, { depth, multiplier: at.multiplier });
    return;
  }
  const limit = Math.min(MAX_LIMIT, Math.max(0, numberArg(w, field, "limit") ?? DEFAULT_LIMIT));
  const offset = Math.max(0, numberArg(w, field, "offset") ?? 0);
  w.cost.queries += at.multiplier;
  w.cost.rows += at.multiplier * (limit + offset);
  if (set.selections.some((s) => s.kind === Kind.FIELD && s.name.value === "totalCount")) {
    w.cost.queries += at.multiplier;
    w.cost.rows += at.multiplier * COUNT_COST;
  }
  visit(w, set, { depth, multiplier: at.multiplier * Math.max(1, limit) });
}

/** A numeric argument from a literal or a variable. */
function numberArg(w: Walk, field: FieldNode, name: string): number | undefined {
  const arg = field.arguments?.find((a) => a.name.value === name);
  return arg ? toNumber(w, arg.value) : undefined;
}

function toNumber(w: Walk, value: ValueNode): number | undefined {
  if (value.kind === Kind.INT || value.kind === Kind.FLOAT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const v = w.variables[value.name.value];
    return typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined;
  }
  return undefined;
}
