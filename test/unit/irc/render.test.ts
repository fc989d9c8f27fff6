import { describe, expect, it } from "vitest";
import { encode } from "../../../src/message/index.ts";
import { Renderer, TAG_ACCOUNT, TAG_MSGID, TAG_TIME, TAG_TYPING } from "../../../src/irc/render.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("rendering fan-out for IRC", () => {
  const renderer = new Renderer("chatd");
  const frame = { type: "message", id: "1764100000000-000003", room: "general", from: "alice", text: "hi\nthere", ts: 1764100000000 } as const;

  it("renders a message once per tag combination: the same bytes for every recipient with it", () => {
    const encoded = encode(frame);
    const plain = renderer.fanout(encoded, frame, 0);
    expect(renderer.fanout(encoded, frame, 0)).toBe(plain);
    expect(text(plain)).toBe(":alice!alice@chatd PRIVMSG #general :hi\r\n:alice!alice@chatd PRIVMSG #general :there\r\n");
    const tagged = renderer.fanout(encoded, frame, TAG_TIME | TAG_MSGID | TAG_ACCOUNT);
    expect(text(tagged).split("\r\n")[0]).toBe("@time=2025-11-25T19:46:40.000Z;msgid=1764100000000-000003;account=alice :alice!alice@chatd PRIVMSG #general :hi");
    expect(renderer.fanout(encoded, frame, TAG_TIME | TAG_MSGID | TAG_ACCOUNT)).toBe(tagged);
  });

  it("renders a DM to its recipient, presence as JOIN/PART, typing only for message-tags clients", () => {
    const dm = { type: "dm", id: "1764100000000-000004", from: "bob", to: "alice", text: "psst", ts: 1764100000000 } as const;
    expect(text(renderer.fanout(encode(dm), dm, 0))).toBe(":bob!bob@chatd PRIVMSG alice :psst\r\n");
    const join = { type: "presence", room: "general", user: "bob", event: "join" } as const;
    expect(text(renderer.fanout(encode(join), join, 0))).toBe(":bob!bob@chatd JOIN #general\r\n");
    const typing = { type: "typing", room: "general", user: "bob" } as const;
    expect(renderer.fanout(encode(typing), typing, 0).byteLength).toBe(0);
    expect(text(renderer.fanout(encode(typing), typing, TAG_TYPING))).toBe("@+typing=active :bob!bob@chatd TAGMSG #general\r\n");
  });

  it("renders a leave as PART (with its reason), QUIT when the connection closed, NICK for a rename; the renamed join says nothing", () => {
    const render = (f: Record<string, unknown>) => {
      const presence = { type: "presence", room: "general", user: "bob", ...f } as { type: "presence"; room: string; user: string; event: "join" | "leave" };
      return text(renderer.fanout(encode(presence), presence, 0));
    };
    expect(render({ event: "leave" })).toBe(":bob!bob@chatd PART #general\r\n");
    expect(render({ event: "leave", reason: "lunch" })).toBe(":bob!bob@chatd PART #general lunch\r\n");
    expect(render({ event: "leave", quit: true, reason: "bob out" })).toBe(":bob!bob@chatd QUIT :Quit: bob out\r\n");
    expect(render({ event: "leave", quit: true })).toBe(":bob!bob@chatd QUIT :Quit\r\n");
    expect(render({ event: "leave", renamedTo: "bobby" })).toBe(":bob!bob@chatd NICK bobby\r\n");
    expect(render({ event: "join", renamedFrom: "robert" })).toBe("");
  });

  it("keeps every line of a long message within 512 bytes", () => {
    const long = { ...frame, text: "é".repeat(3000) };
    const lines = text(renderer.fanout(encode(long), long, 0)).split("\r\n").filter((l) => l !== "");
    expect(lines.length).toBeGreaterThan(10);
    for (const l of lines) expect(new TextEncoder().encode(`${l}\r\n`).byteLength).toBeLessThanOrEqual(512);
  });

  it("renders a presence batch once per tag combination: the same bytes for every member with it", () => {
    const joins = ["bob", "carol"].map((user) => encode({ type: "presence", room: "general", user, event: "join" }));
    const batch = renderer.batch(joins, 0);
    expect(renderer.batch(joins, 0)).toBe(batch);
    expect(text(batch)).toBe(":bob!bob@chatd JOIN #general\r\n:carol!carol@chatd JOIN #general\r\n");
    expect(renderer.batch(joins, TAG_TIME)).not.toBe(batch);
  });

  it("renders a web edit as a PRIVMSG from the author with '* ', +draft/reply to the edited message and no msgid", () => {
    const edited = { type: "edited", id: "1764100000000-000003", room: "general", from: "alice", text: "hello\nagain", editedAt: 1764100005000 } as const;
    expect(text(renderer.fanout(encode(edited), edited, 0))).toBe(":alice!alice@chatd PRIVMSG #general :* hello\r\n:alice!alice@chatd PRIVMSG #general :again\r\n");
    const tagged = text(renderer.fanout(encode(edited), edited, TAG_TIME | TAG_MSGID | TAG_ACCOUNT)).split("\r\n")[0];
    expect(tagged).toBe("@time=2025-11-25T19:46:45.000Z;account=alice;+draft/reply=1764100000000-000003 :alice!alice@chatd PRIVMSG #general :* hello");
    const dm = { type: "edited", id: "1764100000001-000000", from: "bob", to: "alice", text: "8pm", editedAt: 1764100006000 } as const;
    expect(text(renderer.fanout(encode(dm), dm, 0))).toBe(":bob!bob@chatd PRIVMSG alice :* 8pm\r\n");
  });

  it("gives client tags (escaped) to clients with message-tags only, after the server's tags", () => {
    const tagged = { ...frame, text: "hi", tags: { "+example.com/colour": "blue; green", "+draft/flag": "" } };
    const encoded = encode(tagged);
    expect(text(renderer.fanout(encoded, tagged, 0))).toBe(":alice!alice@chatd PRIVMSG #general :hi\r\n");
    expect(text(renderer.fanout(encoded, tagged, TAG_TIME))).toBe("@time=2025-11-25T19:46:40.000Z :alice!alice@chatd PRIVMSG #general :hi\r\n");
    expect(text(renderer.fanout(encoded, tagged, TAG_MSGID | TAG_TYPING))).toBe(
      "@msgid=1764100000000-000003;+example.com/colour=blue\\:\\sgreen;+draft/flag :alice!alice@chatd PRIVMSG #general :hi\r\n",
    );
  });

  it("writes +draft/reply once: a message's replyTo wins over a +draft/reply among its tags", () => {
    const both = { ...frame, text: "hi", replyTo: "1764100000000-000001", tags: { "+draft/reply": "other", "+x": "1" } };
    expect(text(renderer.fanout(encode(both), both, TAG_MSGID))).toBe("@msgid=1764100000000-000003;+draft/reply=1764100000000-000001;+x=1 :alice!alice@chatd PRIVMSG #general :hi\r\n");
  });

  it("renders client tags on their own as TAGMSG with a msgid, to message-tags clients only", () => {
    const room = { type: "tags", id: "0b6f3c1e-7d1a-4a55-9a8e-2f4f0c3e9b71", room: "general", from: "bob", tags: { "+draft/react": "l😃l" }, ts: 1764100000000 } as const;
    expect(renderer.fanout(encode(room), room, TAG_TIME | TAG_ACCOUNT).byteLength).toBe(0);
    expect(text(renderer.fanout(encode(room), room, TAG_MSGID | TAG_ACCOUNT))).toBe(
      "@msgid=0b6f3c1e-7d1a-4a55-9a8e-2f4f0c3e9b71;account=bob;+draft/react=l😃l :bob!bob@chatd TAGMSG #general\r\n",
    );
    const dm = { type: "tags", id: "x1", from: "bob", to: "alice", tags: { "+typing": "paused" }, ts: 1764100000000 } as const;
    expect(text(renderer.fanout(encode(dm), dm, TAG_MSGID))).toBe("@msgid=x1;+typing=paused :bob!bob@chatd TAGMSG alice\r\n");
  });
});
