/**
 * `npm start [-- indexer|pipeline|all]`: production start. `indexer` runs `ponder start` with a
 * per-deploy schema (PONDER_SCHEMA, else one named after the package version) behind the stable views
 * schema PONDER_VIEWS_SCHEMA (default `glisk`); `pipeline` runs the pipeline process; `all` (the
 * default) runs both. Each role is supervised (scripts/lib/supervisor.ts): its output passes the
 * secret scrubber, a crash restarts it with backoff, and only a crash loop stops everything. Docker
 * Compose runs each role as its own service, through this same supervisor.
 *
 * Before each start of the indexer, a lock its crashed run left on the schema is released when no
 * Ponder process is connected to the schema any more (scripts/lib/ponder-lock.ts).
 *
 * The two roles connect to Postgres as two database roles (docs/security.md): the pipeline with
 * DATABASE_URL, the indexer with INDEXER_DATABASE_URL. In production the same role for both is
 * refused: the indexer's API must not be able to read the pipeline's schema.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { EXIT_CONFIG } from "../common/exit-codes";
import { scrubber } from "../common/scrubber";
import { secretValuesOfEnv } from "../common/secrets";
import { parseIndexerConfig } from "../indexer/parse-config";
import { parseConfig } from "../pipeline/config";
import { ponderWarningKind } from "./lib/fold-repeats";
import { stallWatchSettings, watchIndexer } from "./lib/indexer-watch";
import { entryArgs, ponderArgs } from "./lib/launch";
import { releaseStaleLock } from "./lib/ponder-lock";
import { projectRoot } from "./lib/project-root";
import { type RoleSpec, supervise } from "./lib/supervisor";

type Role = "indexer" | "pipeline";

// The same from the sources and from the bundle in dist/.
const root = projectRoot;

function ponderSchema(env: NodeJS.ProcessEnv): string {
  if (env.PONDER_SCHEMA) return env.PONDER_SCHEMA;
  const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
  return `glisk_${version.replace(/[^A-Za-z0-9]/g, "_")}`;
}

/** The database role a Postgres URL connects as, or undefined when it is not one. */
function roleOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return /^postgres(ql)?:$/.test(parsed.protocol) ? decodeURIComponent(parsed.username) || "(default)" : undefined;
  } catch {
    return undefined;
  }
}

/** Why these settings must not run in production, or undefined. */
export function roleProblem(env: NodeJS.ProcessEnv, roles: readonly Role[]): string | undefined {
  if (env.NODE_ENV !== "production" || roles.length < 2) return undefined;
  const pipeline = roleOf(env.DATABASE_URL);
  const indexer = roleOf(env.INDEXER_DATABASE_URL || env.DATABASE_URL);
  if (!pipeline || !indexer || pipeline !== indexer) return undefined;
  return (
    `the indexer and the pipeline would connect to Postgres as the same role (${pipeline}): set ` +
    "INDEXER_DATABASE_URL to the indexer's own role, which must have no privilege on schema pipeline " +
    "(docker/postgres/roles.sql, docs/security.md)"
  );
}

/** The role's configuration errors, found before anything starts (one clean message, no restart loop). */
function configProblem(role: Role, env: NodeJS.ProcessEnv): string | undefined {
  try {
    if (role === "pipeline") parseConfig(env);
    else parseIndexerConfig(env);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function spec(role: Role, env: NodeJS.ProcessEnv): RoleSpec {
  if (role === "pipeline") {
    return {
      name: "pipeline",
      command: process.execPath,
      // Compiled (dist/pipeline.js) when this supervisor runs compiled (`npm start`), else through tsx.
      args: entryArgs("pipeline"),
      cwd: root,
      // The indexer this supervisor starts listens on INDEXER_PORT; /health/indexer must probe it there.
      env: { ...env, INDEXER_URL: env.INDEXER_URL || `http://127.0.0.1:${env.INDEXER_PORT || "42069"}` },
      stopSignal: "SIGTERM",
    };
  }
  const views = env.PONDER_VIEWS_SCHEMA || "glisk";
  const schema = ponderSchema(env);
  const { databaseUrl } = parseIndexerConfig(env);
  return {
    name: "indexer",
    command: process.execPath,
    args: ponderArgs(["start", "--schema", schema, "--views-schema", views, "--log-format", "json"]),
    cwd: root,
    // Ponder reads PORT before --port; PORT is the pipeline's, so the indexer gets INDEXER_PORT.
    env: { ...env, PORT: env.INDEXER_PORT || "42069" },
    // Ponder releases its schema lock on SIGINT; on SIGTERM its dev server exits first, and the next
    // start waits ~20 s for the lock to expire.
    stopSignal: "SIGINT",
    // After a crash (kill -9, OOM) the lock would keep the restart waiting 15-25 s.
    prepare: databaseUrl ? () => releaseLock(databaseUrl, schema) : undefined,
    // Ponder warns once per failed RPC attempt: dozens of lines a second during an RPC outage.
    foldRepeats: { kind: ponderWarningKind, windowMs: 30_000 },
  };
}

async function releaseLock(databaseUrl: string, schema: string): Promise<string | undefined> {
  const outcome = await releaseStaleLock({ databaseUrl, schema });
  if (outcome === "released") return `indexer: released the lock its previous run left on schema ${schema}`;
  if (outcome === "in-use") return `indexer: schema ${schema} is locked by a running Ponder; the indexer waits for it`;
  return undefined;
}

async function main(): Promise<void> {
  const arg = process.argv[2] ?? "all";
  if (!["indexer", "pipeline", "all"].includes(arg)) {
    console.error(`start: unknown role "${arg}"; use indexer, pipeline or all`);
    process.exit(2);
  }
  const roles: Role[] = arg === "all" ? ["indexer", "pipeline"] : [arg as Role];
  // npm start is the production entry point: an unset NODE_ENV must not start it open.
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: process.env.NODE_ENV || "production" };
  const problems = [roleProblem(env, roles), ...roles.map((role) => configProblem(role, env))].filter(Boolean);
  if (problems.length > 0) {
    console.error(`start: refusing to start:\n${problems.join("\n")}`);
    process.exit(EXIT_CONFIG);
  }
  const scrub = scrubber(secretValuesOfEnv(env));
  const supervisor = supervise(
    roles.map((role) => spec(role, env)),
    { scrub },
  );
  // Restarts the indexer when it stays behind the chain head (INDEXER_STALL_RESTART_SECONDS; 0: never).
  const limits = roles.includes("indexer") ? stallWatchSettings(parseIndexerConfig(env)) : undefined;
  const watch =
    limits &&
    watchIndexer({
      ...limits,
      indexerUrl: `http://127.0.0.1:${env.INDEXER_PORT || "42069"}`,
      onStall: (reason) => supervisor.restart("indexer", reason),
    });
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.on(signal, () => {
      watch?.stop();
      void supervisor.stop(signal);
    });
  process.exit(await supervisor.done);
}

if (process.argv[1] === import.meta.filename) await main();
