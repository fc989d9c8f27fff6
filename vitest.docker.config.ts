import { defineConfig } from "vitest/config";

/** `npm run test:docker`: the image built and run by a real Docker engine (brought by the global setup). */
export default defineConfig({
  test: {
    include: ["test/docker/container.test.ts"],
    globalSetup: ["test/helpers/docker-engine.ts"],
    testTimeout: 60_000,
    hookTimeout: 1_200_000,
    pool: "forks",
  },
});
