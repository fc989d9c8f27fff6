import { describe, expect, it } from "vitest";
import { Departures } from "../../../src/irc/departures.ts";

type Presence = { type: "presence"; room: string; user: string; event: "join" | "leave"; quit?: true; renamedTo?: string; renamedFrom?: string };
const leave = (room: string, user: string, more: Partial<Presence> = {}): Presence => ({ type: "presence", room, user, event: "leave", ...more });
const join = (room: string, user: string, more: Partial<Presence> = {}): Presence => ({ type: "presence", room, user, event: "join", ...more });

describe("Departures (a QUIT or NICK told once per IRC client)", () => {
  it("passes the first room's QUIT and drops the other rooms' copies; a PART always passes", () => {
    const d = new Departures();
    expect(d.news(leave("a", "qux", { quit: true }))).toBe(true);
    expect(d.news(leave("b", "qux", { quit: true }))).toBe(false);
    expect(d.news(leave("a", "bob"))).toBe(true);
    expect(d.news(leave("b", "bob"))).toBe(true);
  });

  it("tells a user's next departure after the name joins again", () => {
    const d = new Departures();
    expect(d.news(leave("a", "qux", { quit: true }))).toBe(true);
    expect(d.news(join("a", "qux"))).toBe(true);
    expect(d.news(leave("a", "qux", { quit: true }))).toBe(true);
  });

  it("tells a rename once, and renames back and forth each once", () => {
    const d = new Departures();
    const rename = (room: string, from: string, to: string) => [d.news(leave(room, from, { renamedTo: to })), d.news(join(room, to, { renamedFrom: from }))];
    expect([...rename("a", "alice", "malice"), ...rename("b", "alice", "malice")]).toEqual([true, true, false, true]);
    expect(rename("a", "malice", "alice")[0]).toBe(true);
    expect(rename("a", "alice", "malice")[0]).toBe(true);
  });
});
