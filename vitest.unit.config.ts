import { defineConfig } from "vitest/config";
import { MAX_WORKERS } from "./vitest.config.ts";

/** `npm run test:unit`: the unit tests only, for the edit-test loop (no build, browser or Deno needed). */
export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts"],
    globalSetup: ["test/helpers/global-setup-unit.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
    maxWorkers: MAX_WORKERS,
  },
});
