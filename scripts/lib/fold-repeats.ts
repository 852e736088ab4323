/**
 * Folding a child's repeated warnings into one line per window, as the supervisors forward its
 * output. Ponder logs every failed attempt of every RPC request as a warning ("Received JSON-RPC
 * error"): a 30 s RPC outage printed 445 of them, 20 a second and 92 in the second the RPC started
 * refusing, burying everything else. The first line of a kind passes; its repeats within `windowMs`
 * are counted, and one summary line says how many there were when the window ends.
 */

export type FoldRepeatsParameters = {
  /** The kind of a line that may repeat, or undefined for a line that always passes. */
  kind: (line: string) => string | undefined;
  windowMs: number;
  /** Writes a summary line (without its newline). */
  write: (line: string) => void;
};

export type FoldedLines = {
  /** The line to forward, or undefined when it is a repeat folded into the next summary. */
  line: (text: string) => string | undefined;
  /** Writes the pending summaries now (at exit). */
  flush: () => void;
};

type Window = { repeated: number; started: number; timer: NodeJS.Timeout };

/** The summary of `repeated` lines like `kind` folded over the last `ms`. */
function summaryLine(kind: string, repeated: number, ms: number): string {
  const seconds = Math.round(ms / 1000);
  return JSON.stringify({
    level: 40,
    time: Date.now(),
    msg: kind,
    repeated,
    seconds,
    note: `${repeated} more like this in ${seconds} s, folded into this line`,
  });
}

/** Starts folding; every kind has its own window. */
export function foldRepeats(p: FoldRepeatsParameters): FoldedLines {
  const windows = new Map<string, Window>();
  const close = (kind: string) => {
    const w = windows.get(kind);
    if (!w) return;
    clearTimeout(w.timer);
    windows.delete(kind);
    if (w.repeated > 0) p.write(summaryLine(kind, w.repeated, Date.now() - w.started));
  };
  return {
    line: (text) => {
      const kind = p.kind(text);
      if (kind === undefined) return text;
      const open = windows.get(kind);
      if (open) {
        open.repeated += 1;
        return undefined;
      }
      const timer = setTimeout(() => close(kind), p.windowMs);
      timer.unref();
      windows.set(kind, { repeated: 0, started: Date.now(), timer });
      return text;
    },
    flush: () => {
      for (const kind of [...windows.keys()]) close(kind);
    },
  };
}

/** Ponder's JSON warnings, by message; error-level lines and everything else pass untouched. */
export function ponderWarningKind(line: string): string | undefined {
  if (!line.startsWith("{") || !line.includes('"level":40')) return undefined;
  try {
    const entry = JSON.parse(line) as { level?: unknown; msg?: unknown };
    return entry.level === 40 && typeof entry.msg === "string" ? entry.msg : undefined;
  } catch {
    return undefined;
  }
}
