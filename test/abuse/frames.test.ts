import { afterEach, describe, expect, it } from "vitest";
import { World, settle } from "../helpers/harness.ts";

const GARBAGE = [
  "not json",
  '{"type":"say","room":"general","text":"trunc',
  "[".repeat(30_000) + "]".repeat(30_000),
  `{"type":"say","room":"general","text":${"{\"a\":".repeat(2000)}1${"}".repeat(2000)}}`,
  '{"__proto__":{"polluted":true},"type":"ping"}',
  '{"constructor":{"prototype":{"polluted":true}},"type":"join","room":"general"}',
  '{"type":"__proto__"}',
  '{"type":"constructor"}',
  '{"type":"toString"}',
  '{"type":"say","room":{"__proto__":null},"text":"x"}',
  '{"type":"say","room":"general","text":123}',
  '{"type":"hello","user":"alice","password":"x"}',
  "null",
  "42",
  '"string"',
  "",
];

describe("hostile frames against a real daemon", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("answers every hostile frame with an error frame, pollutes nothing, and the session keeps working", async () => {
    const d = await world.daemon();
    const { client } = await world.member(d, "alice");
    for (const text of GARBAGE) client.send(text);
    const answers = await settle(client);
    const errors = answers.filter((f) => f.type === "error");
    // The __proto__ ping and the constructor join are valid frames once the extra keys are dropped.
    expect(errors.length).toBeGreaterThanOrEqual(GARBAGE.length - 2);
    expect(new Set(errors.map((f) => f.code))).toEqual(new Set(["bad_frame", "unknown_type", "already_authenticated"]));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const ack = await client.request({ type: "say", room: "general", text: "still here", ref: "ok" }, "ack", "error");
    expect(ack).toMatchObject({ type: "ack", ref: "ok" });
  });

  it("handles the same garbage before sign-in, then lets the client sign in", async () => {
    const d = await world.daemon();
    const client = await world.connect(d);
    for (const text of GARBAGE.filter((t) => !t.includes('"hello"'))) client.send(text);
    await settle(client);
    const welcome = await client.request({ type: "hello", user: "alice", password: "correct-horse" }, "welcome", "error");
    expect(welcome.type).toBe("welcome");
  });
});
