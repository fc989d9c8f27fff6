#!/usr/bin/env node
/**
 * `npm test`: the typecheck (`npm run typecheck`) and `vitest run` at the same time. The
 * typecheck is one core's work for a quarter of a minute; the test files mostly wait on
 * sockets and child processes, so it fits beside them instead of before them. The
 * typecheck's output is printed after the tests'; the run fails if either fails.
 * Arguments go to vitest (`npm test -- test/unit/log.test.ts`).
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(new URL("../package.json", import.meta.url));

/** Runs a node script to its end; resolves its exit code (1 for a signal) and, if `capture`, its output. */
function run(script, args, capture) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit" });
    let output = "";
    if (capture) for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk) => (output += chunk));
    child.on("error", (error) => resolve({ code: 1, output: `${output}${error.message}\n` }));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

// The same command as `npm run typecheck` (package.json).
const typecheck = run(
  require.resolve("typescript/bin/tsc"),
  ["-p", "tsconfig.json", "--noEmit", "--incremental", "--tsBuildInfoFile", "node_modules/.cache/chatd/typecheck.tsbuildinfo"],
  true,
);
const vitest = join(dirname(require.resolve("vitest/package.json")), "vitest.mjs");
const tests = await run(vitest, ["run", ...process.argv.slice(2)], false);
const types = await typecheck;
if (types.code !== 0) process.stderr.write(`\ntypecheck failed (npm run typecheck):\n${types.output}`);
else process.stderr.write("typecheck passed\n");
process.exit(tests.code || types.code);
