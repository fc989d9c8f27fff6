import { afterEach, describe, expect, it, vi } from "vitest";
import { createActor, fromPromise, waitFor, type Actor } from "xstate";
import { serverMachine, type ServerState, type StopReason } from "../../../actors/server.ts";

function deferred() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * The server machine with fake `start` and `stop` actors. Each call waits on
 * a deferred the test settles, so every intermediate state can be observed.
 */
function harness() {
  const starts: Array<ReturnType<typeof deferred>> = [];
  const stops: Array<ReturnType<typeof deferred> & { reason: StopReason }> = [];
  const machine = serverMachine.provide({
    actors: {
      start: fromPromise<void>(() => {
        const d = deferred();
        starts.push(d);
        return d.promise;
      }),
      stop: fromPromise<void, { reason: StopReason }>(({ input }) => {
        const d = { ...deferred(), reason: input.reason };
        stops.push(d);
        return d.promise;
      }),
    },
  });
  const actor = createActor(machine);
  const errors: unknown[] = [];
  actor.subscribe({ error: (e) => errors.push(e) });
  actor.start();
  actors.push(actor);
  const state = () => actor.getSnapshot().value as ServerState;
  const settle = (s: ServerState) => waitFor(actor, (snap) => snap.value === s, { timeout: 2000 });
  return { actor, starts, stops, errors, state, settle };
}

const actors: Array<Actor<typeof serverMachine>> = [];
afterEach(() => {
  for (const a of actors.splice(0)) a.stop();
  vi.useRealTimers();
});

async function running() {
  const h = harness();
  h.actor.send({ type: "START" });
  h.starts[0]!.resolve();
  await h.settle("running");
  return h;
}

describe("serverMachine", () => {
  it("starts stopped, with no start time, no restarts and no error", () => {
    const { state, actor } = harness();
    expect(state()).toBe("stopped");
    expect(actor.getSnapshot().context).toEqual({ startedAt: undefined, restarts: 0, error: undefined });
  });

  describe("stopped", () => {
    it("goes to starting on START and runs the start actor", () => {
      const h = harness();
      expect(h.actor.getSnapshot().can({ type: "START" })).toBe(true);
      h.actor.send({ type: "START" });
      expect(h.state()).toBe("starting");
      expect(h.starts).toHaveLength(1);
    });

    it("does not accept STOP, and ignores it without crashing", () => {
      const h = harness();
      expect(h.actor.getSnapshot().can({ type: "STOP" })).toBe(false);
      h.actor.send({ type: "STOP" });
      expect(h.state()).toBe("stopped");
      expect(h.stops).toHaveLength(0);
      expect(h.actor.getSnapshot().status).toBe("active");
      expect(h.errors).toEqual([]);
      // Still works afterwards.
      h.actor.send({ type: "START" });
      expect(h.state()).toBe("starting");
    });

    it("does not accept RESTART", () => {
      const h = harness();
      expect(h.actor.getSnapshot().can({ type: "RESTART" })).toBe(false);
      h.actor.send({ type: "RESTART" });
      expect(h.state()).toBe("stopped");
      expect(h.stops).toHaveLength(0);
    });
  });

  describe("starting", () => {
    it("goes to running when start succeeds, recording the start time", async () => {
      const h = harness();
      const before = Date.now();
      h.actor.send({ type: "START" });
      h.starts[0]!.resolve();
      const snap = await h.settle("running");
      expect(snap.context.startedAt).toBeGreaterThanOrEqual(before);
      expect(snap.context.startedAt).toBeLessThanOrEqual(Date.now());
      expect(snap.context.error).toBeUndefined();
    });

    it("goes back to stopped with context.error when start fails", async () => {
      const h = harness();
      h.actor.send({ type: "START" });
      h.starts[0]!.reject(new Error("EADDRINUSE: port 8080"));
      const snap = await h.settle("stopped");
      expect(snap.context.error).toContain("EADDRINUSE: port 8080");
      expect(snap.context.startedAt).toBeUndefined();
      expect(snap.status).toBe("active");
      expect(h.errors).toEqual([]);
    });

    it("clears the error of a failed start once a later start succeeds", async () => {
      const h = harness();
      h.actor.send({ type: "START" });
      h.starts[0]!.reject(new Error("boom"));
      await h.settle("stopped");
      h.actor.send({ type: "START" });
      h.starts[1]!.resolve();
      const snap = await h.settle("running");
      expect(snap.context.error).toBeUndefined();
    });

    it("accepts neither START, STOP nor RESTART while starting", () => {
      const h = harness();
      h.actor.send({ type: "START" });
      const snap = h.actor.getSnapshot();
      expect(snap.can({ type: "START" })).toBe(false);
      expect(snap.can({ type: "STOP" })).toBe(false);
      expect(snap.can({ type: "RESTART" })).toBe(false);
      h.actor.send({ type: "START" });
      h.actor.send({ type: "STOP" });
      expect(h.state()).toBe("starting");
      expect(h.starts).toHaveLength(1);
      expect(h.stops).toHaveLength(0);
    });

    it("reports a missing start actor as a failed start", async () => {
      const actor = createActor(serverMachine);
      actor.start();
      actor.send({ type: "START" });
      const snap = await waitFor(actor, (s) => s.matches("stopped"), { timeout: 2000 });
      expect(snap.context.error).toContain("provide a `start` actor");
      actor.stop();
    });
  });

  describe("running", () => {
    it("goes to stopping on STOP, calling stop with reason stop", async () => {
      const h = await running();
      expect(h.actor.getSnapshot().can({ type: "STOP" })).toBe(true);
      h.actor.send({ type: "STOP" });
      expect(h.state()).toBe("stopping");
      expect(h.stops.map((s) => s.reason)).toEqual(["stop"]);
    });

    it("goes to restarting on RESTART, calling stop with reason restart", async () => {
      const h = await running();
      expect(h.actor.getSnapshot().can({ type: "RESTART" })).toBe(true);
      h.actor.send({ type: "RESTART" });
      expect(h.state()).toBe("restarting");
      expect(h.stops.map((s) => s.reason)).toEqual(["restart"]);
    });

    it("does not accept START", async () => {
      const h = await running();
      expect(h.actor.getSnapshot().can({ type: "START" })).toBe(false);
      h.actor.send({ type: "START" });
      expect(h.state()).toBe("running");
      expect(h.starts).toHaveLength(1);
    });
  });

  describe("stopping", () => {
    it("goes to stopped when stop succeeds, clearing the start time", async () => {
      const h = await running();
      h.actor.send({ type: "STOP" });
      h.stops[0]!.resolve();
      const snap = await h.settle("stopped");
      expect(snap.context.startedAt).toBeUndefined();
      expect(snap.context.error).toBeUndefined();
      expect(snap.context.restarts).toBe(0);
    });

    it("goes to stopped with context.error when stop fails", async () => {
      const h = await running();
      h.actor.send({ type: "STOP" });
      h.stops[0]!.reject(new Error("close failed"));
      const snap = await h.settle("stopped");
      expect(snap.context.error).toContain("close failed");
      expect(snap.context.startedAt).toBeUndefined();
      expect(h.errors).toEqual([]);
    });

    it("accepts neither STOP, RESTART nor START while stopping", async () => {
      const h = await running();
      h.actor.send({ type: "STOP" });
      const snap = h.actor.getSnapshot();
      expect(snap.can({ type: "RESTART" })).toBe(false);
      expect(snap.can({ type: "STOP" })).toBe(false);
      expect(snap.can({ type: "START" })).toBe(false);
      h.actor.send({ type: "RESTART" });
      h.actor.send({ type: "STOP" });
      expect(h.state()).toBe("stopping");
      expect(h.stops).toHaveLength(1);
    });

    it("can start again after stopping", async () => {
      const h = await running();
      h.actor.send({ type: "STOP" });
      h.stops[0]!.resolve();
      await h.settle("stopped");
      h.actor.send({ type: "START" });
      h.starts[1]!.resolve();
      expect((await h.settle("running")).context.startedAt).toBeDefined();
    });
  });

  describe("restarting", () => {
    it("goes restarting -> starting -> running, counting one restart", async () => {
      const h = await running();
      const seen: string[] = [];
      h.actor.subscribe((s) => seen.push(s.value as string));
      h.actor.send({ type: "RESTART" });
      expect(h.state()).toBe("restarting");
      h.stops[0]!.resolve();
      await h.settle("starting");
      expect(h.starts).toHaveLength(2);
      expect(h.actor.getSnapshot().context.restarts).toBe(1);
      h.starts[1]!.resolve();
      const snap = await h.settle("running");
      expect(snap.context.restarts).toBe(1);
      expect(seen).toEqual(["restarting", "starting", "running"]);
    });

    it("updates the start time on the restart", async () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(1_000_000);
      const h = await running();
      expect(h.actor.getSnapshot().context.startedAt).toBe(1_000_000);
      vi.setSystemTime(2_000_000);
      h.actor.send({ type: "RESTART" });
      h.stops[0]!.resolve();
      await h.settle("starting");
      h.starts[1]!.resolve();
      expect((await h.settle("running")).context.startedAt).toBe(2_000_000);
    });

    it("counts every restart", async () => {
      const h = await running();
      for (let i = 0; i < 3; i++) {
        h.actor.send({ type: "RESTART" });
        h.stops[i]!.resolve();
        await h.settle("starting");
        h.starts[i + 1]!.resolve();
        await h.settle("running");
      }
      expect(h.actor.getSnapshot().context.restarts).toBe(3);
    });

    it("still starts again when the stop half fails, recording the error", async () => {
      const h = await running();
      h.actor.send({ type: "RESTART" });
      h.stops[0]!.reject(new Error("listener stuck"));
      await h.settle("starting");
      expect(h.actor.getSnapshot().context.error).toContain("listener stuck");
      h.starts[1]!.resolve();
      const snap = await h.settle("running");
      expect(snap.context.restarts).toBe(1);
      expect(snap.context.error).toBeUndefined();
    });

    it("ends stopped with the error when the start half fails", async () => {
      const h = await running();
      h.actor.send({ type: "RESTART" });
      h.stops[0]!.resolve();
      await h.settle("starting");
      h.starts[1]!.reject(new Error("port taken"));
      const snap = await h.settle("stopped");
      expect(snap.context.error).toContain("port taken");
      expect(snap.context.restarts).toBe(1);
    });

    it("accepts neither RESTART nor STOP while restarting", async () => {
      const h = await running();
      h.actor.send({ type: "RESTART" });
      const snap = h.actor.getSnapshot();
      expect(snap.can({ type: "RESTART" })).toBe(false);
      expect(snap.can({ type: "STOP" })).toBe(false);
      h.actor.send({ type: "RESTART" });
      h.actor.send({ type: "STOP" });
      expect(h.state()).toBe("restarting");
      expect(h.stops).toHaveLength(1);
    });
  });
});
