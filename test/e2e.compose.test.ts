/**
 * The production shape cannot be started here (no Docker engine), so this proves its structure:
 * docker-compose.yml parses, wires the services as documented and holds no secrets; the Dockerfile
 * and .dockerignore follow the rules in docs/operations.md.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { parseDocument } from "yaml";
import { openApiDocument } from "../pipeline/server/openapi";

const root = path.resolve(import.meta.dirname, "..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

type Service = {
  image?: string;
  build?: unknown;
  command?: string[];
  restart?: string;
  init?: boolean;
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
};

function compose(): { services: Record<string, Service> } {
  const doc = parseDocument(read("docker-compose.yml"), { merge: true });
  expect(doc.errors).toEqual([]);
  return doc.toJS() as { services: Record<string, Service> };
}

describe("docker-compose.yml", () => {
  test("runs Postgres 17, Redis 7 without eviction and with an append-only file, the indexer and the pipeline", () => {
    const { services } = compose();
    expect(Object.keys(services).sort()).toEqual(["indexer", "pipeline", "postgres", "redis"]);
    expect(services.postgres?.image).toMatch(/^postgres:17(\b|$)/);
    expect(services.redis?.image).toMatch(/^redis:7(\b|$)/);
    const redis = services.redis?.command ?? [];
    expect(redis[redis.indexOf("--appendonly") + 1]).toBe("yes");
    expect(redis[redis.indexOf("--maxmemory-policy") + 1]).toBe("noeviction");
  });

  test("each app service runs its role under the project's supervisor, the indexer in a per-deploy schema", () => {
    const { services } = compose();
    expect(services.indexer?.command).toEqual(["node", "dist/start.js", "indexer"]);
    expect(services.pipeline?.command).toEqual(["node", "dist/start.js", "pipeline"]);
    expect(services.indexer?.environment?.PONDER_SCHEMA).toMatch(/^\$\{PONDER_SCHEMA:\?/);
    expect(services.indexer?.environment?.PONDER_VIEWS_SCHEMA).toBe("glisk");
  });

  test("the indexer and the pipeline connect as two roles created by the roles script, neither the administrator", () => {
    const { services } = compose();
    const indexer = services.indexer?.environment ?? {};
    const pipeline = services.pipeline?.environment ?? {};
    expect(indexer.INDEXER_DATABASE_URL).toMatch(
      /^postgres:\/\/glisk_indexer:\$\{INDEXER_DB_PASSWORD:\?.*\}@postgres:5432\/glisk$/,
    );
    expect(indexer.DATABASE_URL).toBe("");
    expect(pipeline.DATABASE_URL).toMatch(
      /^postgres:\/\/glisk_pipeline:\$\{PIPELINE_DB_PASSWORD:\?.*\}@postgres:5432\/glisk$/,
    );
    expect(pipeline.INDEXER_DATABASE_URL).toBe("");
    const postgres = services.postgres;
    expect(postgres?.environment?.POSTGRES_USER).toBe("glisk_admin");
    expect(postgres?.volumes).toEqual(
      expect.arrayContaining([
        "./docker/postgres/init-roles.sh:/docker-entrypoint-initdb.d/10-glisk-roles.sh:ro",
        "./docker/postgres/roles.sql:/glisk/roles.sql:ro",
      ]),
    );
    const roles = read("docker/postgres/roles.sql");
    expect(roles).toMatch(/CREATE SCHEMA pipeline AUTHORIZATION :"pipeline_role"/);
    expect(roles).not.toMatch(/(?<!NO)SUPERUSER/);
  });

  test("every service restarts, has a healthcheck, and the apps wait for healthy storage", () => {
    const { services } = compose();
    for (const [name, service] of Object.entries(services)) {
      expect(service.restart, name).toBe("unless-stopped");
      expect(service.healthcheck?.test.length, name).toBeGreaterThan(0);
    }
    for (const name of ["indexer", "pipeline"]) {
      expect(services[name]?.depends_on).toEqual({
        postgres: { condition: "service_healthy" },
        redis: { condition: "service_healthy" },
      });
      expect(services[name]?.environment?.NODE_ENV).toBe("production");
      expect(services[name]?.environment?.REDIS_URL).toBe("redis://redis:6379");
    }
  });

  test("the pipeline's healthcheck probes a route the server serves, on the port it listens on", () => {
    const pipeline = compose().services.pipeline;
    const probe = pipeline?.healthcheck?.test.join(" ") ?? "";
    const url = new URL(probe.match(/http:\/\/[^']+/)?.[0] ?? "http://invalid/");
    expect(url.port).toBe(pipeline?.environment?.PORT);
    expect(Object.keys(openApiDocument().paths ?? {})).toContain(url.pathname);
    expect(pipeline?.environment?.HOST).toBe("0.0.0.0");
  });

  test("secrets come from the environment, never from the file", () => {
    const { services } = compose();
    const env = services.pipeline?.environment ?? {};
    expect(env.ADMIN_API_TOKEN).toMatch(/^\$\{ADMIN_API_TOKEN:\?/);
    expect(env.KEEPER_PRIVATE_KEY).toMatch(/^\$\{KEEPER_PRIVATE_KEY:\?/);
    for (const key of ["POSTGRES_PASSWORD", "INDEXER_DB_PASSWORD", "PIPELINE_DB_PASSWORD"])
      expect(services.postgres?.environment?.[key]).toMatch(new RegExp(`^\\$\\{${key}:\\?`));
    expect(read("docker-compose.yml")).not.toMatch(/0x[0-9a-fA-F]{64}/);
  });
});

describe("Dockerfile", () => {
  test("builds on node:24-slim, installs runtime dependencies only and runs as a non-root user", () => {
    const dockerfile = read("Dockerfile");
    const from = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(from.length).toBeGreaterThan(0);
    for (const image of from) expect(image).toBe("node:24-slim");
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev\b/m);
    // The roles run the compiled bundles that scripts/build.ts writes to dist/, not the TypeScript sources.
    expect(dockerfile).toMatch(/^RUN node --import tsx scripts\/build\.ts$/m);
    expect(dockerfile).toMatch(/^COPY --from=build\b.* \/app\/dist \.\/dist$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/start\.js", "pipeline"\]$/m);
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBeDefined();
    expect(users.at(-1)).not.toMatch(/^(root|0)$/);
  });

  test(".dockerignore keeps dependencies, local state and secrets out of the image", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .map((l) => l.trim());
    for (const entry of ["node_modules", "dist", ".data", ".env", ".ponder"]) expect(ignored).toContain(entry);
  });

  test("package.json has no dev-only dependency the image needs at runtime", () => {
    const pkg = JSON.parse(read("package.json")) as { dependencies: Record<string, string> };
    for (const runtime of ["tsx", "ponder", "bullmq", "hono", "viem", "pg"])
      expect(pkg.dependencies).toHaveProperty(runtime);
  });
});
