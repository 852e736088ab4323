/**
 * The text scrubber of the logger and of the supervisors that forward their children's output. Apart
 * from the logger so that a supervisor scrubbing lines does not load pino (npm run dev's stays small).
 */

/** A function that replaces every occurrence of `values` in a text with "[redacted]". */
export function scrubber(values: readonly string[]): (text: string) => string {
  if (values.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const value of values) if (out.includes(value)) out = out.split(value).join("[redacted]");
    return out;
  };
}
