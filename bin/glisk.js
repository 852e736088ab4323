#!/usr/bin/env node
// The `glisk` command: registers tsx so the TypeScript CLI runs without a build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/glisk.ts");
process.exitCode = await main(process.argv.slice(2));
