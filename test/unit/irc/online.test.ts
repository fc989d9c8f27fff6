import { describe, expect, it } from "vitest";
import { onlineByKey } from "../../../src/irc/online.ts";
import type { OnlineUser } from "../../../storage/presence/types.ts";

const user = (name: string): OnlineUser => ({ name, sessions: 1, rooms: [], address: "::1", connectedAt: 0 });

describe("onlineByKey", () => {
  it("finds users by account key (any spelling of the name) and is made once per listing", () => {
    const users = [user("Alice"), user("bob")];
    const index = onlineByKey(users);
    expect(index.get("alice")?.name).toBe("Alice");
    expect(index.get("bob")).toBe(users[1]);
    expect(index.has("carol")).toBe(false);
    expect(onlineByKey(users)).toBe(index);
    expect(onlineByKey([...users])).not.toBe(index);
  });
});
