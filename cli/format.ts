/** Plain-text tables for the terminal. */

type Cell = string | number | boolean | null | undefined;

const show = (value: Cell): string => (value === null || value === undefined ? "-" : String(value));

/** Renders rows as an aligned table with a header line. */
export function table(headers: string[], rows: Cell[][]): string {
  const cells = rows.map((r) => r.map(show));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

/** Renders key/value pairs, one per line, keys aligned. */
export function pairs(entries: [string, Cell][]): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${k.padEnd(width)}  ${show(v)}`).join("\n");
}
