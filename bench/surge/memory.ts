/**
 * Memory and CPU of the stack's processes, from /proc (Linux): the peak resident set each process
 * reached (VmHWM, kept by the kernel), its peak proportional set size (PSS, sampled every second),
 * which counts pages shared between processes (the Node binary the indexer and the pipeline both map)
 * once across them instead of once per process, and the CPU seconds it used.
 */
import { readFileSync } from "node:fs";

export type Peaks = { rssMb: number; pssMb: number; cpuSeconds: number };

/** Clock ticks per second of /proc/<pid>/stat on Linux. */
const TICKS = 100;

const kb = (text: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0);

function read(pid: number): { rss: number; hwm: number; pss: number; cpu: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    // utime and stime are fields 14 and 15; the command name before them may hold spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cpu = (Number(fields[11]) + Number(fields[12])) / TICKS;
    return { rss: kb(status, "VmRSS"), hwm: kb(status, "VmHWM"), pss: kb(rollup, "Pss"), cpu };
  } catch {
    return undefined; // exited
  }
}

/** Samples `pids` every second until `stop()`, which returns each one's peaks in MB. */
export function watchMemory<K extends string>(pids: Record<K, number>) {
  const peaks = Object.fromEntries(Object.keys(pids).map((k) => [k, { rss: 0, pss: 0, cpu0: -1, cpu: 0 }])) as Record<
    K,
    { rss: number; pss: number; cpu0: number; cpu: number }
  >;
  const sample = () => {
    for (const [name, pid] of Object.entries(pids) as [K, number][]) {
      const now = read(pid);
      if (!now) continue;
      peaks[name].rss = Math.max(peaks[name].rss, now.hwm, now.rss);
      peaks[name].pss = Math.max(peaks[name].pss, now.pss);
      if (peaks[name].cpu0 < 0) peaks[name].cpu0 = now.cpu;
      peaks[name].cpu = now.cpu - peaks[name].cpu0;
    }
  };
  sample();
  const timer = setInterval(sample, 1_000);
  return {
    stop: (): Record<K, Peaks> => {
      clearInterval(timer);
      sample();
      const mb = (v: number) => Math.round(v / 1024);
      return Object.fromEntries(
        Object.entries(peaks).map(([k, v]) => {
          const p = v as { rss: number; pss: number; cpu: number };
          return [k, { rssMb: mb(p.rss), pssMb: mb(p.pss), cpuSeconds: Math.round(p.cpu * 10) / 10 }];
        }),
      ) as Record<K, Peaks>;
    },
  };
}
