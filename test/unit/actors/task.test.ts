import { describe, expect, it, vi } from "vitest";
import { createActor, setup, waitFor } from "xstate";
import { fromTask } from "../../../actors/task.ts";

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A machine that invokes `run` in `working` and records what its onDone / onError received. */
function invoking(run: (input: number) => number | Promise<number>) {
  const seen: Array<["done", number] | ["error", unknown]> = [];
  const machine = setup({ actors: { task: fromTask(run) } }).createMachine({
    initial: "working",
    states: {
      working: {
        invoke: {
          src: "task",
          input: () => 7,
          onDone: { target: "finished", actions: ({ event }) => void seen.push(["done", event.output]) },
          onError: { target: "finished", actions: ({ event }) => void seen.push(["error", event.error]) },
        },
        on: { LEAVE: "left" },
      },
      finished: {},
      left: {},
    },
  });
  return { machine, seen };
}

describe("fromTask", () => {
  it("hands the invoke's input to the task and its resolved value to onDone", async () => {
    const run = vi.fn(async (n: number) => n * 6);
    const { machine, seen } = invoking(run);
    const actor = createActor(machine).start();
    await waitFor(actor, (s) => s.value === "finished");
    expect(run).toHaveBeenCalledWith(7);
    expect(seen).toEqual([["done", 42]]);
  });

  it("delivers a value decided at once on a later microtask, as an event", async () => {
    const { machine, seen } = invoking((n) => n + 1);
    const actor = createActor(machine).start();
    expect(actor.getSnapshot().value).toBe("working");
    await Promise.resolve();
    await Promise.resolve();
    expect(actor.getSnapshot().value).toBe("finished");
    expect(seen).toEqual([["done", 8]]);
  });

  it("turns a rejection, or a throw before any promise, into onError", async () => {
    const failure = new Error("no");
    for (const run of [() => Promise.reject(failure), () => { throw failure; }]) {
      const { machine, seen } = invoking(run);
      const actor = createActor(machine).start();
      await waitFor(actor, (s) => s.value === "finished");
      expect(seen).toEqual([["error", failure]]);
    }
  });

  it("settles a throw before any promise in the step that started the task, before any later event", () => {
    const failure = new Error("refused at once");
    const { machine, seen } = invoking(() => {
      throw failure;
    });
    const actor = createActor(machine).start();
    expect(actor.getSnapshot().value).toBe("finished");
    expect(seen).toEqual([["error", failure]]);
  });

  it("drops the result of a task whose state was left: the child is stopped and sends nothing", async () => {
    const d = deferred<number>();
    const { machine, seen } = invoking(() => d.promise);
    const actor = createActor(machine).start();
    const child = Object.values(actor.getSnapshot().children)[0]!;
    const send = vi.spyOn(child, "send");
    actor.send({ type: "LEAVE" });
    expect(child.getSnapshot().status).toBe("stopped");
    d.resolve(1);
    await new Promise((r) => setTimeout(r, 5));
    expect(send).not.toHaveBeenCalled();
    expect(actor.getSnapshot().value).toBe("left");
    expect(seen).toEqual([]);
  });
});
