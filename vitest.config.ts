import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

/** Unit tests: no daemon, browser or process of their own (`npm run test:unit` runs only these). */
export const UNIT = ["test/unit/**/*.test.ts"];

/**
 * Unit files that need a module registry of their own: every file that mocks a module
 * (`vi.mock`, found by reading the files, so a new one is picked up), and the UpgradeRequest
 * test, which needs Node's own global Request (a file that loads @hono/node-server before it
 * in the same worker replaces the global).
 */
const UNIT_DIR = fileURLToPath(new URL("test/unit", import.meta.url));
export const UNIT_ISOLATED = [
  "test/unit/runtime/node/upgrade-request.test.ts",
  ...readdirSync(UNIT_DIR, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".test.ts") && /\bvi\.(do)?[mM]ock\(/.test(readFileSync(join(UNIT_DIR, f), "utf8")))
    .map((f) => `test/unit/${f}`),
];

/**
 * Files that measure the process they run in (event-loop delay, heap per connection): they run
 * after everything else, one at a time, so another file's work on the other core cannot be
 * what they measure.
 */
export const ALONE = ["test/abuse/sign-in-storm.test.ts", "test/integration/footprint.test.ts"];

/** What every project shares (not the global setup: it runs once, for the whole run). */
export const SHARED = { testTimeout: 20_000, hookTimeout: 30_000, pool: "forks" } as const;

/**
 * Vitest's default is one worker less than the cores: on the 2-core machines this runs on,
 * one worker, file after file. Most files wait on sockets and child processes, so two run
 * well side by side.
 */
export const MAX_WORKERS = Math.max(2, availableParallelism());

/**
 * Unit files share a worker process and its loaded modules instead of starting a process
 * each (most take milliseconds; a new process and its imports took longer than the tests).
 */
export const unitProjects = (): TestProjectInlineConfiguration[] => [
  { test: { ...SHARED, name: "unit", include: UNIT, exclude: UNIT_ISOLATED, isolate: false } },
  { test: { ...SHARED, name: "unit-isolated", include: UNIT_ISOLATED } },
];

export default defineConfig({
  test: {
    globalSetup: ["test/helpers/global-setup.ts"],
    maxWorkers: MAX_WORKERS,
    projects: [
      ...unitProjects(),
      {
        // Integration, abuse, e2e, web and docker files: a process each.
        // A real Docker engine: `npm run test:docker` (vitest.docker.config.ts).
        test: {
          ...SHARED,
          name: "system",
          include: ["test/**/*.test.ts"],
          exclude: [...UNIT, ...ALONE, "test/docker/container.test.ts", "**/node_modules/**"],
        },
      },
      { test: { ...SHARED, name: "alone", include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
