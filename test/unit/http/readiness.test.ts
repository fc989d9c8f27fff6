import { describe, expect, it } from "vitest";
import type { Daemon } from "../../../src/daemon.ts";
import { readinessRoutes } from "../../../src/http/readiness.ts";

/** Only what /readyz reads from the daemon. */
const daemonIn = (state: string) => ({ state, chat: undefined, config: { dataDir: "/nonexistent" } }) as unknown as Daemon;

describe("the readiness route", () => {
  for (const state of ["starting", "stopping", "restarting", "stopped"]) {
    it(`answers 503 not_ready while the server is ${state}`, async () => {
      const res = await readinessRoutes(daemonIn(state)).request("/readyz");
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: "not_ready", state, reason: `server is ${state}` });
    });
  }
});
