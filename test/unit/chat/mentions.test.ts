import { describe, expect, it } from "vitest";
import { mentionCandidates, resolveMentions } from "../../../src/chat/mentions.ts";

const users = new Map([["alice", "Alice"], ["bob", "bob"], ["zoë", "Zoë"]]);
const findUser = async (key: string) => (users.has(key) ? { name: users.get(key)! } : undefined);

describe("mentions", () => {
  it("finds @names at the start or after a non-name character, once each, keys normalised", () => {
    expect(mentionCandidates("@alice hi @Bob, (@ALICE) mail a@b.c @@x @-x @room")).toEqual({ keys: ["alice", "bob"], room: true });
    expect(mentionCandidates("no mentions here")).toEqual({ keys: [], room: false });
  });

  it("resolves to canonical names of existing users, @room last (rooms only), undefined when none", async () => {
    expect(await resolveMentions("@ALICE @nobody @zoë @bob @alice @room", findUser, true)).toEqual(["Alice", "Zoë", "bob", "@room"]);
    expect(await resolveMentions("@room only", findUser, false)).toBeUndefined();
    expect(await resolveMentions("@nobody", findUser, true)).toBeUndefined();
  });
});
