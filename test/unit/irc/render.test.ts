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
});
