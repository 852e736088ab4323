#!/usr/bin/env node
// The `glisk` command: reads the repository's .env (variables already in the environment win), as
// every process of the project does, and registers tsx so the TypeScript CLI runs without a build step.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

const envFile = fileURLToPath(new URL("../.env", import.meta.url));
if (existsSync(envFile)) process.loadEnvFile(envFile);
register();
const { main } = await import("../cli/glisk.ts");
process.exitCode = await main(process.argv.slice(2));
