import v8 from "node:v8";
import { createActor, createMachine, Actor } from "xstate";
import { LeanActor, leanMachine } from "../dist/actors/lean-actor.js";
import { ActorGroups } from "../dist/actors/groups.js";
const kind = process.argv[2];
const old = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "old_space").space_used_size;
const m = createMachine({ context: ({ input }) => ({ s: input?.s }), initial: "a", states: { a: { on: { GO: "b" } }, b: {} } });
const lm = leanMachine(m);
const groups = new ActorGroups(() => {});
const N = 50000;
const keep = [];
globalThis.gc(); globalThis.gc();
const before = old();
for (let i = 0; i < N; i++) {
  const parent = groups.next();
  let a;
  if (kind === "lean1") a = new LeanActor(lm, { parent }, { s: i });
  else if (kind === "lean3") a = new LeanActor(lm, { id: String(i), input: { s: i }, parent });
  else if (kind === "base1") a = new Actor(m, { parent, input: { s: i } });
  a.start();
  keep.push(a);
  if (i % 100 === 0) await new Promise((r) => setImmediate(r));
}
const inflow = old() - before;
globalThis.gc(); globalThis.gc();
const live = old() - before;
console.log(keep.length, kind, "old inflow/actor", (inflow / N).toFixed(0), "live old/actor", (live / N).toFixed(0), "garbage", ((inflow - live) / N).toFixed(0));
