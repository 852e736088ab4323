/**
 * The chaos run's figure table (Markdown, so it pastes into a note) and the guarantees every phase
 * must keep: nothing lost, nothing revealed twice, no reverted keeper transaction, one paid
 * prediction per token beyond NSFW fallbacks, no process exit nobody planned, no log still saying a
 * dependency is unreachable once it is back, and a drain of at most MAX_DRAIN_SECONDS after the
 * fault healed.
 */
import type { PhaseFigures } from "./phase";

export const MAX_DRAIN_SECONDS = 30;

const COLUMNS = [
  "fault",
  "minted",
  "revealed",
  "lost",
  "double",
  "reverted / keeper txs",
  "paid per token",
  "NSFW",
  "drain (s)",
  "unplanned exits",
  "logs say down",
  "error lines",
  "peak lines/s",
] as const;

function row(f: PhaseFigures): string[] {
  return [
    f.fault,
    String(f.minted),
    String(f.revealed),
    String(f.lost),
    String(f.double),
    `${f.reverted} / ${f.keeperTxs}`,
    f.minted === 0 ? "–" : (f.paid / f.minted).toFixed(2),
    String(f.nsfw),
    f.drainSeconds === undefined ? "never" : f.drainSeconds.toFixed(1),
    String(f.unplanned),
    String(f.reportedDown.length),
    String(f.errorLines),
    String(f.peakLinesPerSecond),
  ];
}

/** The totals over every phase, as one more row. */
export function totals(phases: readonly PhaseFigures[]): PhaseFigures {
  const sum = (key: keyof PhaseFigures) => phases.reduce((n, f) => n + Number(f[key] ?? 0), 0);
  const drains = phases.map((f) => f.drainSeconds);
  return {
    fault: `all ${phases.length} phases`,
    minted: sum("minted"),
    revealed: sum("revealed"),
    lost: sum("lost"),
    double: sum("double"),
    keeperTxs: sum("keeperTxs"),
    reverted: sum("reverted"),
    paid: sum("paid"),
    nsfw: sum("nsfw"),
    drainSeconds: drains.some((d) => d === undefined) ? undefined : Math.max(0, ...(drains as number[])),
    unplanned: sum("unplanned"),
    reportedDown: phases.flatMap((f) => f.reportedDown),
    errorLines: sum("errorLines"),
    peakLinesPerSecond: Math.max(0, ...phases.map((f) => f.peakLinesPerSecond)),
  };
}

/** The Markdown table of the phases and their totals. */
export function table(phases: readonly PhaseFigures[]): string {
  const rows = [...phases.map(row), row(totals(phases)).map((cell, i) => (i === 0 ? `**${cell}**` : cell))];
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(COLUMNS), rule, ...rows.map(line)].join("\n");
}

/** Every guarantee a phase broke, in words; empty when it kept them all. */
export function broken(f: PhaseFigures): string[] {
  const problems: string[] = [];
  if (f.note) problems.push(f.note);
  if (f.lost > 0) problems.push(`${f.lost} token(s) never revealed`);
  if (f.double > 0) problems.push(`${f.double} token(s) revealed twice`);
  if (f.reverted > 0) problems.push(`${f.reverted} keeper transaction(s) reverted`);
  if (f.paid - f.nsfw > f.minted)
    problems.push(`${f.paid - f.nsfw - f.minted} paid prediction(s) beyond one per token`);
  if (f.unplanned > 0) problems.push(`${f.unplanned} process exit(s) nobody planned`);
  if (f.reportedDown.length > 0) problems.push(`the logs still report ${f.reportedDown.join(", ")} unreachable`);
  if (f.drainSeconds !== undefined && f.drainSeconds > MAX_DRAIN_SECONDS)
    problems.push(`drained in ${f.drainSeconds.toFixed(1)} s (limit ${MAX_DRAIN_SECONDS} s)`);
  return problems;
}
