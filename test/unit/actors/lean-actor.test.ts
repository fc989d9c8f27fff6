import { describe, expect, it } from "vitest";
import { Actor, createActor, createMachine, emit, fromCallback, fromPromise, setup, spawnChild, stopChild, waitFor } from "xstate";
import { LeanActor, leanMachine } from "../../../actors/lean-actor.ts";

const toggle = createMachine({
  id: "toggle",
  initial: "off",
  states: {
    off: { on: { FLIP: "on" } },
    on: { on: { FLIP: "off" } },
  },
});

describe("leanMachine", () => {
  it("gives every snapshot the same empty tags, children and history", () => {
    const a = new LeanActor(leanMachine(toggle)).start();
    const b = new LeanActor(leanMachine(toggle)).start();
    const first = a.getSnapshot();
    a.send({ type: "FLIP" });
    const second = a.getSnapshot();
    expect(second.value).toBe("on");
    expect(second).not.toBe(first);
    expect(second.tags).toBe(first.tags);
    expect(b.getSnapshot().tags).toBe(first.tags);
    expect(b.getSnapshot().children).toBe(first.children);
    expect(b.getSnapshot().historyValue).toBe(first.historyValue);
    expect(second.tags.size).toBe(0);
    expect(second.hasTag("x")).toBe(false);
    expect(() => (second.tags as Set<string>).add("x")).toThrow(/read-only/);
    expect(Object.isFrozen(second.children)).toBe(true);
  });

  it("leaves a snapshot's tags alone when it has some", () => {
    const tagged = createMachine({ initial: "busy", states: { busy: { tags: ["working"], on: { DONE: "idle" } }, idle: {} } });
    const actor = new LeanActor(leanMachine(tagged)).start();
    expect(actor.getSnapshot().hasTag("working")).toBe(true);
    actor.send({ type: "DONE" });
    expect(actor.getSnapshot().hasTag("working")).toBe(false);
  });

  it("spawns and stops children, and keeps history, by copying the shared empties", () => {
    const child = fromCallback(() => () => {});
    const machine = setup({ actors: { child } }).createMachine({
      initial: "a",
      states: {
        a: {
          initial: "a1",
          states: { a1: { on: { NEXT: "a2" } }, a2: {}, hist: { type: "history" } },
          on: { LEAVE: "b" },
        },
        b: {
          invoke: { id: "worker", src: "child" },
          on: { BACK: "a.hist" },
        },
      },
    });
    const actor = new LeanActor(leanMachine(machine)).start();
    const empty = actor.getSnapshot().children;
    actor.send({ type: "NEXT" });
    actor.send({ type: "LEAVE" });
    expect(Object.keys(actor.getSnapshot().children)).toEqual(["worker"]);
    expect(empty).toEqual({});
    actor.send({ type: "BACK" });
    expect(actor.getSnapshot().value).toEqual({ a: "a2" });
    expect(actor.getSnapshot().children).toEqual({});
  });
});

describe("LeanActor", () => {
  it("makes an actor's observers its own on the first subscribe", async () => {
    const a = new LeanActor(leanMachine(toggle)).start();
    const b = new LeanActor(leanMachine(toggle)).start();
    const seenA: unknown[] = [];
    const seenB: unknown[] = [];
    const sub = a.subscribe((s) => seenA.push(s.value));
    b.subscribe({ next: (s) => seenB.push(s.value) });
    a.send({ type: "FLIP" });
    expect(seenA).toEqual(["on"]);
    expect(seenB).toEqual([]);
    sub.unsubscribe();
    a.send({ type: "FLIP" });
    expect(seenA).toEqual(["on"]);
    b.send({ type: "FLIP" });
    expect(seenB).toEqual(["on"]);
    const on = waitFor(a, (s) => s.value === "on", { timeout: 1000 });
    a.send({ type: "FLIP" });
    expect((await on).value).toBe("on");
  });

  it("makes an actor's emitted-event listeners its own on the first `on`", () => {
    const emitter = setup({ types: { emitted: {} as { type: "ping" } } }).createMachine({
      on: { GO: { actions: emit({ type: "ping" }) } },
    });
    const a = new LeanActor(leanMachine(emitter)).start();
    const b = new LeanActor(leanMachine(emitter)).start();
    const heard: string[] = [];
    a.on("ping", () => heard.push("a"));
    b.send({ type: "GO" });
    expect(heard).toEqual([]);
    a.send({ type: "GO" });
    expect(heard).toEqual(["a"]);
  });

  it("stops with no observers", () => {
    const a = new LeanActor(leanMachine(toggle)).start();
    a.stop();
    expect(a.getSnapshot().status).toBe("stopped");
    const b = new LeanActor(leanMachine(toggle)).start();
    const seen: unknown[] = [];
    b.subscribe({ complete: () => seen.push("complete") });
    b.stop();
    expect(seen).toEqual(["complete"]);
  });
});

describe("LeanActor's input", () => {
  const echo = setup({ types: { input: {} as { n: number } | undefined, context: {} as { n: number | undefined } } }).createMachine({
    context: ({ input }) => ({ n: input?.n }),
  });

  it("reaches the machine's context without riding in the options", () => {
    const a = new LeanActor(leanMachine(echo), undefined, { n: 1 }).start();
    expect(a.getSnapshot().context.n).toBe(1);
    expect((a as unknown as { options: { input?: unknown } }).options.input).toBeUndefined();
    // Handed to one actor only: the next one without an input gets none.
    expect(new LeanActor(leanMachine(echo)).start().getSnapshot().context.n).toBeUndefined();
  });

  it("gives way to an input in the options", () => {
    expect(new LeanActor(leanMachine(echo), { input: { n: 2 } }, { n: 3 }).getSnapshot().context.n).toBe(2);
  });

  it("is each actor's own when one is created while another is being constructed", () => {
    let inner: LeanActor<typeof echo> | undefined;
    const outer = setup({ types: { input: {} as { n: number }, context: {} as { n: number; inner: number | undefined } } }).createMachine({
      context: ({ input }) => {
        inner = new LeanActor(leanMachine(echo), undefined, { n: input.n + 1 });
        return { n: input.n, inner: inner.getSnapshot().context.n };
      },
    });
    const a = new LeanActor(leanMachine(outer), undefined, { n: 10 });
    expect(a.getSnapshot().context).toEqual({ n: 10, inner: 11 });
    expect(inner!.getSnapshot().context.n).toBe(11);
  });
});

describe("LeanActor's scope", () => {
  type Scope = { defer: unknown; stopChild: unknown; emit: unknown; actionExecutor: unknown };
  const scopeOf = (actor: object) => (actor as { _actorScope: Scope })._actorScope;

  it("shares defer, stopChild and emit between actors, and keeps each actor's actionExecutor", () => {
    const a = new LeanActor(leanMachine(toggle)).start();
    const b = new LeanActor(leanMachine(toggle)).start();
    for (const method of ["defer", "stopChild", "emit"] as const) expect(scopeOf(a)[method]).toBe(scopeOf(b)[method]);
    expect(scopeOf(a).actionExecutor).not.toBe(scopeOf(b).actionExecutor);
  });

  it("shares one unbound send, which works as a method", () => {
    const a = new LeanActor(leanMachine(toggle)).start();
    const b = new LeanActor(leanMachine(toggle)).start();
    expect(a.send).toBe(b.send);
    a.send({ type: "FLIP" });
    expect(a.getSnapshot().value).toBe("on");
    expect(b.getSnapshot().value).toBe("off");
  });

  it("still starts and stops children (defer, stopChild)", () => {
    const started: string[] = [];
    const child = fromCallback(() => {
      started.push("child");
      return () => started.push("child stopped");
    });
    const parent = setup({ actors: { child } }).createMachine({
      initial: "idle",
      states: {
        idle: { on: { SPAWN: { target: "busy", actions: spawnChild("child", { id: "c" }) } } },
        busy: { on: { STOP: { target: "idle", actions: stopChild("c") } } },
      },
    });
    const a = new LeanActor(leanMachine(parent)).start();
    a.send({ type: "SPAWN" });
    expect(started).toEqual(["child"]);
    expect(a.getSnapshot().children.c).toBeDefined();
    a.send({ type: "STOP" });
    expect(started).toEqual(["child", "child stopped"]);
    expect(a.getSnapshot().children.c).toBeUndefined();
  });

  it("still emits to listeners of the event's type and to wildcard listeners (emit)", () => {
    const emitter = setup({ types: { emitted: {} as { type: "ping" } | { type: "pong" } } }).createMachine({
      on: { PING: { actions: emit({ type: "ping" }) }, PONG: { actions: emit({ type: "pong" }) } },
    });
    const a = new LeanActor(leanMachine(emitter)).start();
    const heard: string[] = [];
    a.on("ping", (e) => heard.push(`ping:${e.type}`));
    a.on("*", (e) => heard.push(`*:${e.type}`));
    a.send({ type: "PING" });
    a.send({ type: "PONG" });
    expect(heard).toEqual(["ping:ping", "*:ping", "*:pong"]);
  });
});

/**
 * What lean-actor.ts relies on in xstate (5.33): if an upgrade changes any of
 * it, the patch would silently stop working or break actors, so it fails here.
 */
describe("xstate internals lean-actor.ts relies on", () => {
  it("a plain actor has the own fields LeanActor replaces", () => {
    const a = createActor(toggle).start() as unknown as Record<string, unknown> & { _actorScope: Record<string, unknown> };
    expect(a.observers).toBeInstanceOf(Set);
    expect(a.eventListeners).toBeInstanceOf(Map);
    expect(Object.hasOwn(a, "send")).toBe(true);
    expect(Object.hasOwn(a, "options")).toBe(true);
    for (const m of ["defer", "stopChild", "emit", "actionExecutor"]) expect(typeof a._actorScope[m]).toBe("function");
    expect(a._actorScope.self).toBe(a);
    expect(Array.isArray(a._deferred)).toBe(true);
    const snapshot = (a as unknown as Actor<typeof toggle>).getSnapshot();
    expect(snapshot.tags).toBeInstanceOf(Set);
    expect(typeof snapshot.children).toBe("object");
    expect(typeof snapshot.historyValue).toBe("object");
  });

  it("update, on the prototype, runs each step's deferred effects out of the actor's own _deferred array and leaves it empty", () => {
    expect(Object.hasOwn(Actor.prototype, "update")).toBe(true);
    const ran: string[] = [];
    // A delayed transition is scheduled (and, on leaving the state, cancelled) through a deferred effect.
    const machine = createMachine({
      initial: "waiting",
      states: { waiting: { entry: () => void ran.push("entry"), after: { 60_000: "late" }, on: { GO: "done" } }, late: {}, done: {} },
    });
    const a = new LeanActor(leanMachine(machine)).start();
    const internals = a as unknown as { _deferred: unknown[] };
    expect(Object.hasOwn(a, "_deferred")).toBe(true);
    expect(internals._deferred).toEqual([]);
    a.send({ type: "GO" });
    expect(a.getSnapshot().value).toBe("done");
    expect(internals._deferred).toEqual([]);
    expect(ran).toEqual(["entry"]);
  });

  it("a state node's invoke definitions are memoized objects; leanMachine gives each the syncSnapshot xstate spreads in", () => {
    const machine = setup({ actors: { work: fromPromise(() => new Promise<number>(() => {})) } }).createMachine({
      initial: "plain",
      states: {
        plain: { invoke: { id: "w", src: "work" }, on: { NEXT: "synced" } },
        synced: { invoke: { id: "s", src: "work", onSnapshot: { actions: () => {} } } },
      },
    });
    const states = machine.root.states as Record<string, { invoke: Array<{ syncSnapshot?: boolean }> }>;
    expect(states.plain!.invoke[0]).toBe(states.plain!.invoke[0]);
    expect(states.plain!.invoke[0]!.syncSnapshot).toBeUndefined();
    const a = new LeanActor(leanMachine(machine)).start();
    expect(states.plain!.invoke[0]!.syncSnapshot).toBe(false);
    expect(states.synced!.invoke[0]!.syncSnapshot).toBe(true);
    // What the spawned children were made with is what xstate computes itself.
    const child = (id: string) => (a.getSnapshot().children as unknown as Record<string, { _syncSnapshot: boolean }>)[id]!;
    expect(child("w")._syncSnapshot).toBe(false);
    a.send({ type: "NEXT" });
    expect(child("s")._syncSnapshot).toBe(true);
    a.stop();
  });

  it("a machine's first snapshot takes its input from getInitialSnapshot's second argument", () => {
    const echo = setup({ types: { input: {} as { n: number }, context: {} as { n: number } } }).createMachine({ context: ({ input }) => ({ n: input.n }) });
    const a = createActor(toggle);
    const scope = (a as unknown as { _actorScope: Parameters<typeof echo.getInitialSnapshot>[0] })._actorScope;
    expect(echo.getInitialSnapshot(scope, { n: 7 }).context.n).toBe(7);
  });

  it("a started LeanActor runs delays, invoked promises, spawned children and its own stop on the shared empty options", async () => {
    const trail: string[] = [];
    const machine = setup({
      actors: { work: fromPromise(async () => "done"), child: fromCallback(() => () => void trail.push("child stopped")) },
      delays: { soon: 5 },
    }).createMachine({
      initial: "idle",
      states: {
        idle: { on: { GO: "working" } },
        working: {
          invoke: { src: "work", onDone: { target: "waiting", actions: ({ event }) => void trail.push(event.output) } },
        },
        waiting: {
          entry: spawnChild("child", { id: "c" }),
          after: { soon: { target: "finished", actions: [stopChild("c"), () => void trail.push("after")] } },
        },
        finished: { type: "final" },
      },
    });
    const a = new LeanActor(leanMachine(machine)).start();
    const b = new LeanActor(leanMachine(machine)).start();
    const options = (a as unknown as { options: object }).options;
    expect(options).toEqual({});
    expect(Object.isFrozen(options)).toBe(true);
    expect((b as unknown as { options: object }).options).toBe(options);
    a.send({ type: "GO" });
    await waitFor(a, (s) => s.status === "done", { timeout: 2000 });
    expect(trail).toEqual(["done", "after", "child stopped"]);
    b.stop();
  });
});
