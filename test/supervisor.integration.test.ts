/**
 * The supervisor behind `npm start` (scripts/lib/supervisor.ts), with small child programs as roles:
 * a crashed role is restarted with backoff while the others keep running, a crash loop and a
 * configuration error stop everything with a reason, each role gets its own stop signal, and every
 * line a role prints passes the scrubber.
 */
import { afterEach, describe, expect, test } from "vitest";
import { EXIT_CONFIG } from "../common/exit-codes";
import { scrubber } from "../common/scrubber";
import { ponderWarningKind } from "../scripts/lib/fold-repeats";
import { waitFor } from "../scripts/lib/glisk";
import { type RoleSpec, type Supervisor, supervise } from "../scripts/lib/supervisor";

const running: Supervisor[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

/** A role running `source` in node; it prints "up <pid>" first. */
const role = (name: string, source: string, stopSignal: NodeJS.Signals = "SIGTERM"): RoleSpec => ({
  name,
  command: process.execPath,
  args: ["-e", `console.log("up " + process.pid); ${source}`],
  env: process.env,
  cwd: process.cwd(),
  stopSignal,
});
const STAY = "setInterval(() => {}, 1000);";
const ON_SIGNALS = `for (const s of ["SIGINT", "SIGTERM"]) process.on(s, () => { console.log("got " + s); process.exit(0); });`;

function start(specs: RoleSpec[], secrets: string[] = []) {
  const out: string[] = [];
  const said: string[] = [];
  const supervisor = supervise(specs, {
    scrub: scrubber(secrets),
    backoffMs: 50,
    crashWindowMs: 60_000,
    maxCrashes: 4,
    stopGraceMs: 5_000,
    say: (line) => said.push(line),
    write: { stdout: (t) => out.push(t), stderr: (t) => out.push(t) },
  });
  running.push(supervisor);
  return { supervisor, out, said, text: () => out.join("") };
}

describe("npm start's supervisor", () => {
  test("restarts a role that crashed, with backoff, while the other keeps running", async () => {
    const s = start([
      role("steady", `console.log("steady"); ${STAY}`),
      role("flaky", `console.log("flaky"); setTimeout(() => process.exit(3), 100);`),
    ]);
    await waitFor(() => s.said.filter((l) => l.includes("flaky exited unexpectedly (code 3)")).length >= 2, {
      message: "two restarts of the flaky role",
    });
    expect(s.said[0]).toMatch(/flaky exited unexpectedly \(code 3\); restarting in 0\.1 s/);
    expect(s.said[1]).toMatch(/restarting in 0\.1 s|restarting in 0\.2 s/);
    expect(s.text().match(/^steady$/gm)).toHaveLength(1);
    expect(s.said.some((l) => l.includes("steady"))).toBe(false);
  });

  test("a crash loop stops everything with the reason and exit code 1", async () => {
    const s = start([role("steady", `${ON_SIGNALS} ${STAY}`), role("broken", "process.exit(1);")]);
    expect(await s.supervisor.done).toBe(1);
    expect(s.said.at(-1)).toMatch(/broken exited 4 times within 60 s \(last: code 1\): crash loop, giving up/);
    expect(s.text()).toContain("got SIGTERM");
  });

  test("a configuration error is final: no restart, the supervisor exits with it", async () => {
    const s = start([role("steady", `${ON_SIGNALS} ${STAY}`), role("misconfigured", `process.exit(${EXIT_CONFIG});`)]);
    expect(await s.supervisor.done).toBe(EXIT_CONFIG);
    expect(s.said.filter((l) => l.includes("misconfigured"))).toEqual([
      `misconfigured stopped on a configuration error (exit ${EXIT_CONFIG}): fix it and start again`,
    ]);
  });

  test("stop sends each role its own signal once and waits for it", async () => {
    const s = start([role("ponder", `${ON_SIGNALS} ${STAY}`, "SIGINT"), role("pipeline", `${ON_SIGNALS} ${STAY}`)]);
    await waitFor(() => s.text().match(/^up /gm)?.length === 2, { message: "both roles up" });
    expect(await s.supervisor.stop()).toBe(0);
    expect(s.text().match(/^got SIGINT$/gm)).toHaveLength(1);
    expect(s.text().match(/^got SIGTERM$/gm)).toHaveLength(1);
    expect(s.said).toEqual([]);
  });

  test("a role's prepare step runs before every start; its line is said, and a failing one does not keep the role down", async () => {
    let calls = 0;
    const flaky: RoleSpec = {
      ...role("flaky", "setTimeout(() => process.exit(3), 100);"),
      prepare: async () => {
        calls += 1;
        if (calls === 2) throw new Error("database unreachable");
        return `prepared ${calls}`;
      },
    };
    const s = start([flaky]);
    await waitFor(() => (s.text().match(/^up /gm)?.length ?? 0) >= 3, { message: "three starts" });
    expect(s.said).toContain("prepared 1");
    expect(s.said).toContain("flaky: before starting it: database unreachable");
    expect(s.said).toContain("prepared 3");
  });

  test("stopping while a role prepares: it never starts, and the supervisor still finishes", async () => {
    let release: () => void = () => {};
    const s = start([
      {
        ...role("slow", STAY),
        prepare: () => new Promise<undefined>((resolve) => (release = () => resolve(undefined))),
      },
    ]);
    const stopped = s.supervisor.stop();
    release();
    expect(await stopped).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(s.text()).not.toMatch(/^up /m);
  });

  test("a role's repeated warnings are folded: the first passes, one summary counts the rest", async () => {
    const warn = JSON.stringify({ level: 40, msg: "Received JSON-RPC error" });
    const s = start([
      {
        ...role("noisy", `for (let i = 0; i < 50; i++) console.log(${JSON.stringify(warn)}); ${STAY}`),
        foldRepeats: { kind: ponderWarningKind, windowMs: 60_000 },
      },
    ]);
    await waitFor(() => s.text().includes("Received JSON-RPC error"), { message: "the first warning" });
    await s.supervisor.stop();
    const lines = s
      .text()
      .split("\n")
      .filter((l) => l.includes("Received JSON-RPC error"));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(warn);
    expect(JSON.parse(lines[1] as string)).toMatchObject({ level: 40, repeated: 49 });
  });

  test("every line a role prints passes the scrubber, split across writes or not", async () => {
    const secret = "0123456789abcdef-secret";
    const s = start(
      [
        role(
          "leaky",
          `process.stdout.write("key=${secret.slice(0, 9)}"); setTimeout(() => console.log("${secret.slice(9)} end"), 50); ${STAY}`,
        ),
      ],
      [secret],
    );
    await waitFor(() => s.text().includes("end"), { message: "the split line" });
    expect(s.text()).toContain("key=[redacted] end");
    expect(s.text()).not.toContain(secret);
  });
});
