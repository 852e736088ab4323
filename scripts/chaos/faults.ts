/**
 * The faults of the chaos run, one per phase, each injected from outside the processes: kill -9 of a
 * process, a Redis kill or wipe, a Postgres crash-restart, an RPC proxy that black-holes then
 * refuses, a second pipeline replica, provider errors from the fake. A fault starts after the first
 * half of its phase's wave is minted, mints the second half itself (during the fault when it lasts,
 * right after it when it is a single blow) and returns when it healed: the drain is measured from
 * then (or from the last mint, if later).
 */
import { Redis } from "ioredis";
import { waitFor } from "../lib/glisk";
import type { ChainReader } from "./chain";
import type { ChaosStack } from "./stack";
import type { SupervisedRole } from "./supervised";
import { AUTHORS, type Minted, type MintOrder } from "./wave";

export type FaultContext = {
  stack: ChaosStack;
  chain: ChainReader;
  /** When the phase started: predictions created since then are this phase's. */
  since: number;
  first: Minted;
  /** Mints the second half of the wave. */
  mintRest: () => Promise<void>;
};

export type Fault = {
  name: string;
  label: string;
  /** kill -9s this fault deals, per role: the supervisors' restart messages they explain. */
  planned: number;
  /** Mints added to this phase's wave. */
  extra?: MintOrder[];
  before?: (stack: ChaosStack) => Promise<void>;
  /** Injects the fault, mints the rest of the wave, and resolves with when the fault healed. */
  inject: (c: FaultContext) => Promise<number>;
  after?: (stack: ChaosStack) => Promise<void>;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Predictions created since `since` that are still running on the fake provider. */
function inFlight(c: FaultContext): number {
  let n = 0;
  for (const p of c.stack.replicate.predictions.values()) {
    if (Date.parse(p.created_at) >= c.since && (p.status === "starting" || p.status === "processing")) n += 1;
  }
  return n;
}

const whenInFlight = (c: FaultContext, count: number) =>
  waitFor(() => inFlight(c) >= Math.min(count, c.first.ids.length), {
    timeoutMs: 60_000,
    intervalMs: 50,
    message: `${count} predictions in flight`,
  });

/** kill -9 of the process a supervisor runs now; resolves with the time of the kill once it is gone. */
async function killRole(role: SupervisedRole): Promise<number> {
  const pid = role.rolePid();
  if (!pid) throw new Error(`${role.name} has no running process to kill`);
  process.kill(pid, "SIGKILL");
  const killed = Date.now();
  await waitFor(() => role.rolePid() !== pid, { timeoutMs: 10_000, intervalMs: 20, message: `${role.name} gone` });
  return killed;
}

const firstPipeline = (stack: ChaosStack) => stack.pipelines[0] as SupervisedRole;

/** Holds mining until a keeper transaction sits in the mempool, kills the pipeline, then mines again. */
async function killWithRevealPending(c: FaultContext): Promise<number> {
  const predictions = () =>
    [...c.stack.replicate.predictions.values()].filter((p) => Date.parse(p.created_at) >= c.since);
  // Mining stops only once the mints are deep enough to reveal, and before the batch wait ends.
  const deepAt = BigInt(Math.max(...c.first.blocks.map(Number)) + 4);
  await waitFor(
    async () =>
      predictions().length >= c.first.ids.length &&
      predictions().every((p) => p.status === "succeeded") &&
      (await c.chain.head()) >= deepAt,
    { timeoutMs: 60_000, intervalMs: 50, message: "the first half generated and deep enough" },
  );
  await c.chain.setMining(0);
  try {
    await waitFor(() => c.chain.keeperTxPending(), {
      timeoutMs: 30_000,
      intervalMs: 50,
      message: "a reveal transaction in the mempool",
    });
    const killed = await killRole(firstPipeline(c.stack));
    await sleep(2_000);
    return killed;
  } finally {
    await c.chain.setMining(1);
  }
}

export const FAULTS: Fault[] = [
  {
    name: "baseline",
    label: "none (baseline)",
    planned: 0,
    inject: async (c) => {
      await c.mintRest();
      return Date.now();
    },
  },
  {
    name: "kill-pipeline-generating",
    label: "kill -9 pipeline, ~4 predictions in flight",
    planned: 1,
    inject: async (c) => {
      await whenInFlight(c, 4);
      const killed = await killRole(firstPipeline(c.stack));
      await c.mintRest();
      return killed;
    },
  },
  {
    name: "kill-pipeline-revealing",
    label: "kill -9 pipeline, reveal tx pending",
    planned: 1,
    inject: async (c) => {
      const killed = await killWithRevealPending(c);
      await c.mintRest();
      return killed;
    },
  },
  {
    name: "redis-kill",
    label: "Redis kill -9, back from AOF after 5 s",
    planned: 0,
    inject: async (c) => {
      await whenInFlight(c, 2);
      await c.stack.redis.kill();
      await Promise.all([c.mintRest(), sleep(5_000)]);
      await c.stack.redis.start();
      return Date.now();
    },
  },
  {
    name: "redis-flushall",
    label: "Redis FLUSHALL",
    planned: 0,
    inject: async (c) => {
      await whenInFlight(c, 2);
      const client = new Redis(c.stack.redis.url, { maxRetriesPerRequest: 1 });
      try {
        await client.flushall();
      } finally {
        client.disconnect();
      }
      const healed = Date.now();
      await c.mintRest();
      return healed;
    },
  },
  {
    name: "postgres-restart",
    label: "Postgres restart -m immediate",
    planned: 0,
    inject: async (c) => {
      await whenInFlight(c, 2);
      await c.stack.postgres.restartAsync("immediate");
      const healed = Date.now();
      await c.mintRest();
      return healed;
    },
  },
  {
    name: "rpc-outage",
    label: "RPC outage 30 s (15 s black-holed, 15 s refused)",
    planned: 0,
    inject: async (c) => {
      await c.stack.rpc.setMode("blackhole");
      await Promise.all([c.mintRest(), sleep(15_000)]);
      await c.stack.rpc.setMode("refuse");
      await sleep(15_000);
      await c.stack.rpc.setMode("pass");
      return Date.now();
    },
  },
  {
    name: "kill-indexer",
    label: "kill -9 indexer (ponder)",
    planned: 1,
    inject: async (c) => {
      await whenInFlight(c, 1);
      const killed = await killRole(c.stack.indexer);
      await c.mintRest();
      return killed;
    },
  },
  {
    name: "second-replica",
    label: "a second pipeline replica during the wave",
    planned: 0,
    before: async (stack) => {
      await stack.addReplica();
    },
    inject: async (c) => {
      await c.mintRest();
      return Date.now();
    },
    after: async (stack) => {
      const second = stack.pipelines[1];
      if (second) await stack.removeReplica(second);
    },
  },
  {
    name: "provider-faults",
    label: "provider: 429 + Retry-After on creates, 5xx on polls, one NSFW",
    planned: 0,
    extra: [{ minter: 6, author: AUTHORS.refused.address, quantity: 1 }],
    before: async (stack) => {
      const { faults } = stack.replicate;
      faults.push("create", { status: 429, headers: { "retry-after": "3" }, times: 3 });
      faults.push("get", { status: 503, times: 8, skip: 2 });
    },
    inject: async (c) => {
      await c.mintRest();
      return Date.now();
    },
    after: async (stack) => stack.replicate.faults.clear(),
  },
];

/** The faults of `npm run chaos -- --short`. */
export const SHORT_FAULTS = ["kill-pipeline-generating", "redis-flushall", "postgres-restart"];
