import { defineConfig } from "vitest/config";
import { MAX_WORKERS, unitProjects } from "./vitest.config.ts";

/** `npm run test:unit`: the unit tests only, for the edit-test loop (no build, browser or Deno needed). */
export default defineConfig({
  test: {
    globalSetup: ["test/helpers/global-setup-unit.ts"],
    // As in the whole suite (vitest.config.ts): two workers at least, unit files sharing one.
    maxWorkers: MAX_WORKERS,
    projects: unitProjects(),
  },
});
