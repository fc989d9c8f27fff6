import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

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

export default defineConfig({
  test: {
    globalSetup: ["test/helpers/global-setup.ts"],
    maxWorkers: MAX_WORKERS,
    projects: [
      {
        // A real Docker engine: `npm run test:docker` (vitest.docker.config.ts).
        test: { ...SHARED, name: "tests", include: ["test/**/*.test.ts"], exclude: [...ALONE, "test/docker/container.test.ts", "**/node_modules/**"] },
      },
      { test: { ...SHARED, name: "alone", include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
