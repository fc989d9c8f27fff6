import { afterEach, describe, expect, it } from "vitest";
import { startDaemon, type TestDaemon } from "../helpers/daemon.ts";
import { signIn } from "../helpers/client.ts";

describe("chatd daemon", () => {
  let d: TestDaemon;
  afterEach(() => d?.close());

  it("lets two users chat in a room", async () => {
    d = await startDaemon();
    const { client: alice, welcome } = await signIn(d.wsUrl, "alice");
    expect(welcome).toMatchObject({ type: "welcome", user: "alice", created: true });
    await alice.request({ type: "join", room: "general" }, "joined");
    const { client: bob } = await signIn(d.wsUrl, "bob");
    const joined = await bob.request({ type: "join", room: "general" }, "joined");
    expect(joined.members).toEqual(["alice", "bob"]);
    expect(await alice.next("presence")).toMatchObject({ room: "general", user: "bob", event: "join" });
    bob.send({ type: "say", room: "general", text: "hi", ref: 7 });
    const ack = await bob.next("ack");
    const msg = await alice.next("message");
    expect(msg).toMatchObject({ room: "general", from: "bob", text: "hi", id: ack.id, ts: ack.ts });
    expect(ack.ref).toBe(7);
  });
});
