/** Forwarding a child's output line by line through a filter, as the supervisors (dev, start) do. */

export type ForwardLinesParameters = {
  /** What to do with each complete line (without its newline); return undefined to drop it. */
  line: (text: string) => string | undefined;
  write: (text: string) => void;
};

/** Reads `stream` as UTF-8 and hands each line to `p.line`, writing what it returns. */
export function forwardLines(stream: NodeJS.ReadableStream | null, p: ForwardLinesParameters): void {
  let partial = "";
  stream?.setEncoding("utf8");
  const emit = (text: string) => {
    const out = p.line(text);
    if (out !== undefined) p.write(`${out}\n`);
  };
  stream?.on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    for (const text of lines) emit(text);
  });
  stream?.on("end", () => {
    if (partial) emit(partial);
    partial = "";
  });
}
