import { describe, expect, it } from "vitest";
import type { Daemon } from "../../../src/daemon.ts";
import { readinessRoutes } from "../../../src/http/readiness.ts";

/** Only what /readyz reads from the daemon. */
const daemonIn = (state: string) => ({ state, chat: undefined, config: { dataDir: "/nonexistent" }, storageHealth: () => undefined }) as unknown as Daemon;

/** A running daemon with the given storage health, whose dataDir has no chat folder. */
const runningWith = (health: unknown) =>
  ({ state: "running", chat: {}, config: { dataDir: "/nonexistent" }, storageHealth: () => health }) as unknown as Daemon;

describe("the readiness route", () => {
  for (const state of ["starting", "stopping", "restarting", "stopped"]) {
    it(`answers 503 not_ready while the server is ${state}`, async () => {
      const res = await readinessRoutes(daemonIn(state)).request("/readyz");
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: "not_ready", state, reason: `server is ${state}` });
    });
  }

  it("answers 503 when the embedded chat log folder is missing", async () => {
    const res = await readinessRoutes(runningWith({ mode: "embedded" })).request("/readyz");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "not_ready", state: "running", reason: "storage unavailable: ENOENT on /nonexistent/chat" });
  });

  it("in a cluster, follows Redis and not the unused chat log folder", async () => {
    const up = await readinessRoutes(runningWith({ mode: "cluster", redis: "up", node: "n1" })).request("/readyz");
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: "ready", state: "running" });
    const down = await readinessRoutes(runningWith({ mode: "cluster", redis: "down", node: "n1" })).request("/readyz");
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: "not_ready", state: "running", reason: "storage unavailable: Redis is down" });
  });
});
