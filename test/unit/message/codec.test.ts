import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decode, encode, Encoded, type Decoded } from "../../../src/message/codec.ts";
import { inboundTypes, type InboundFrame } from "../../../src/message/inbound.ts";
import { outboundFrame, type OutboundFrame } from "../../../src/message/outbound.ts";
import { ClientError, CloseCode, ErrorCode } from "../../../src/message/errors.ts";

/** The JSON examples of docs/protocol.md, split into the client and the server sections. */
function protocolExamples(): { inbound: unknown[]; outbound: unknown[] } {
  const doc = readFileSync(new URL("../../../docs/protocol.md", import.meta.url), "utf8");
  const split = doc.indexOf("## Server → client");
  const clientStart = doc.indexOf("## Client → server");
  expect(clientStart).toBeGreaterThan(0);
  expect(split).toBeGreaterThan(clientStart);
  const blocks = (text: string) => [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const values = (block: string): unknown[] => {
    // A block holds either one (possibly multi-line) object or one object a line.
    try {
      return [JSON.parse(block)];
    } catch {
      return block
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as unknown);
    }
  };
  return {
    inbound: blocks(doc.slice(clientStart, split)).flatMap(values),
    outbound: blocks(doc.slice(split)).flatMap(values),
  };
}

function expectError(d: Decoded, code: string): Extract<Decoded, { ok: false }> {
  expect(d.ok).toBe(false);
  if (d.ok) throw new Error("unreachable");
  expect(d.code).toBe(code);
  expect(typeof d.message).toBe("string");
  expect(d.message.length).toBeGreaterThan(0);
  return d;
}

function expectFrame(d: Decoded): InboundFrame {
  if (!d.ok) throw new Error(`expected a frame, got ${d.code}: ${d.message}`);
  return d.frame;
}

describe("decode", () => {
  describe("valid frames", () => {
    const examples: Array<[string, Record<string, unknown>]> = [
      ["hello with user and password", { type: "hello", user: "alice", password: "correct-horse" }],
      ["hello with a token", { type: "hello", token: "YWxpY2U.n2l8pL0Y1cM2x9ZzJqQmN0b3d3k5aGx0c1V4eE5yT2c" }],
      ["join", { type: "join", room: "general" }],
      ["join with since", { type: "join", room: "general", since: "1764100000000-000003" }],
      ["leave", { type: "leave", room: "general" }],
      ["say with a string ref", { type: "say", room: "general", text: "hello, world", ref: "c1" }],
      ["say without ref", { type: "say", room: "general", text: "hi" }],
      ["history", { type: "history", room: "general", before: "1764100000000-000003", limit: 50 }],
      ["dm with a number ref", { type: "dm", to: "bob", text: "are you coming?", ref: 7 }],
      ["dm_history with limit", { type: "dm_history", with: "bob", limit: 50 }],
      ["dm_history with since", { type: "dm_history", with: "bob", since: "1764100000000-000003" }],
      ["rooms", { type: "rooms" }],
      ["typing", { type: "typing", room: "general" }],
      ["ping", { type: "ping", ref: 1 }],
      ["logout", { type: "logout" }],
      ["kick", { type: "kick", user: "mallory", reason: "cool off", ref: 1 }],
      ["mute", { type: "mute", user: "mallory", room: "general", minutes: 10, ref: 2 }],
      ["unmute", { type: "unmute", user: "mallory", room: "general", ref: 3 }],
      ["search", { type: "search", q: 'deplo "release notes" from:alice', room: "general", with: "bob", before: "1764100000000-000042", limit: 50, ref: "s1" }],
      ["read", { type: "read", room: "general", id: "1764100000000-000003" }],
      ["topic", { type: "topic", room: "general", text: "Release on Friday", ref: 4 }],
      ["mode", { type: "mode", room: "general", mode: "operator", on: true, user: "bob", ref: 5 }],
      ["password", { type: "password", old: "correct horse", new: "battery staple" }],
      ["say with replyTo", { type: "say", room: "general", text: "yes", replyTo: "1764100000000-000003" }],
      ["edit", { type: "edit", id: "1764100000000-000003", text: "fixed", ref: "e1" }],
      ["delete", { type: "delete", id: "1764100000000-000003", ref: "d1" }],
      ["react", { type: "react", id: "1764100000000-000003", emoji: "👍", ref: "r1" }],
      ["say with client tags", { type: "say", room: "general", text: "nice", tags: { "+example.com/colour": "blue", "+draft/flag": "" } }],
      ["tags to a room", { type: "tags", room: "general", tags: { "+draft/react": "l😃l" }, ref: "t1" }],
      ["tags to a user", { type: "tags", to: "bob", tags: { "+typing": "paused" } }],
    ];
    it.each(examples)("decodes %s", (_name, value) => {
      const frame = expectFrame(decode(JSON.stringify(value)));
      expect(frame).toEqual(value);
    });

    it("has an example above for every inbound type", () => {
      const covered = new Set(examples.map(([, v]) => v.type as string));
      expect([...inboundTypes].sort()).toEqual([...covered].sort());
    });

    it("decodes every client example in docs/protocol.md", () => {
      const { inbound } = protocolExamples();
      expect(inbound.length).toBeGreaterThanOrEqual(14);
      for (const example of inbound) {
        const d = decode(JSON.stringify(example));
        expect(d, JSON.stringify(example)).toMatchObject({ ok: true, frame: example });
      }
      const documented = new Set(inbound.map((e) => (e as { type: string }).type));
      expect([...documented].sort()).toEqual([...inboundTypes].sort());
    });

    it("takes client tags up to 4094 bytes as IRC writes them", () => {
      // `+a=` and 4091 bytes: 4094; `;` counts two bytes (written `\:`).
      expect(decode(JSON.stringify({ type: "say", room: "general", text: "hi", tags: { "+a": "x".repeat(4091) } })).ok).toBe(true);
      expect(decode(JSON.stringify({ type: "tags", room: "general", tags: { "+a": ";".repeat(2045) + "x" } })).ok).toBe(true);
    });

    it("drops fields that are not in the schema", () => {
      const frame = expectFrame(decode('{"type":"join","room":"general","client":"x","extra":{"a":1}}'));
      expect(frame).toEqual({ type: "join", room: "general" });
    });

    it("accepts a ref of exactly 64 characters", () => {
      const ref = "r".repeat(64);
      expect(expectFrame(decode(JSON.stringify({ type: "ping", ref })))).toEqual({ type: "ping", ref });
    });

    it("accepts surrounding whitespace", () => {
      expect(expectFrame(decode('  \n{"type":"rooms"}\n '))).toEqual({ type: "rooms" });
    });
  });

  describe("malformed input", () => {
    it.each([
      ["an empty string", ""],
      ["plain text", "hello"],
      ["truncated JSON", '{"type":"ping"'],
      ["single-quoted JSON", "{'type':'ping'}"],
      ["a trailing comma", '{"type":"ping",}'],
    ])("answers bad_frame for %s (not JSON)", (_name, text) => {
      expectError(decode(text), ErrorCode.badFrame);
    });

    it.each([
      ["an array", '[{"type":"ping"}]'],
      ["an empty array", "[]"],
      ["null", "null"],
      ["a number", "42"],
      ["a string", '"ping"'],
      ["a boolean", "true"],
    ])("answers bad_frame for %s (not an object)", (_name, text) => {
      expectError(decode(text), ErrorCode.badFrame);
    });

    it.each([
      ["no type", '{"room":"general"}'],
      ["a numeric type", '{"type":1}'],
      ["a null type", '{"type":null}'],
      ["an object type", '{"type":{"type":"ping"}}'],
      ["an array type", '{"type":["ping"]}'],
    ])("answers bad_frame for %s", (_name, text) => {
      expectError(decode(text), ErrorCode.badFrame);
    });

    it.each([
      ["an unknown type", "shout"],
      ["a server-only type", "welcome"],
      ["a differently cased type", "PING"],
      ["an empty type", ""],
      ["__proto__", "__proto__"],
      ["an Object.prototype member", "toString"],
      ["hasOwnProperty", "hasOwnProperty"],
      ["constructor", "constructor"],
    ])("answers unknown_type for %s", (_name, type) => {
      expectError(decode(JSON.stringify({ type })), ErrorCode.unknownType);
    });

    it("keeps the unknown_type message short for a huge type", () => {
      const d = expectError(decode(JSON.stringify({ type: "x".repeat(10_000) })), ErrorCode.unknownType);
      expect(d.message.length).toBeLessThan(100);
    });

    it.each([
      ["say with a numeric text", { type: "say", room: "general", text: 5 }],
      ["say without text", { type: "say", room: "general" }],
      ["say without room", { type: "say", text: "hi" }],
      ["say with a null room", { type: "say", room: null, text: "hi" }],
      ["say with an object ref", { type: "say", room: "general", text: "hi", ref: { a: 1 } }],
      ["say with a boolean ref", { type: "say", room: "general", text: "hi", ref: true }],
      ["say with a ref over 64 characters", { type: "say", room: "general", text: "hi", ref: "r".repeat(65) }],
      ["join with a numeric room", { type: "join", room: 42 }],
      ["join with a numeric since", { type: "join", room: "general", since: 1764100000000 }],
      ["leave with an array room", { type: "leave", room: ["general"] }],
      ["history with limit 0", { type: "history", room: "general", limit: 0 }],
      ["history with a fractional limit", { type: "history", room: "general", limit: 1.5 }],
      ["history with a string limit", { type: "history", room: "general", limit: "50" }],
      ["dm without to", { type: "dm", text: "hi" }],
      ["dm_history without with", { type: "dm_history" }],
      ["hello with a numeric password", { type: "hello", user: "alice", password: 12345678 }],
      ["typing with a missing room", { type: "typing" }],
      ["ping with a string-array ref", { type: "ping", ref: ["1"] }],
      ["say with a tag name without +", { type: "say", room: "general", text: "hi", tags: { colour: "blue" } }],
      ["say with a tag name with a space", { type: "say", room: "general", text: "hi", tags: { "+a b": "" } }],
      ["say with a NUL in a tag value", { type: "say", room: "general", text: "hi", tags: { "+a": "x\u0000y" } }],
      ["say with a numeric tag value", { type: "say", room: "general", text: "hi", tags: { "+a": 1 } }],
      ["dm with client tags over 4094 bytes", { type: "dm", to: "bob", text: "hi", tags: { "+a": "x".repeat(4092) } }],
      ["tags without tags", { type: "tags", room: "general", tags: {} }],
      ["tags with escaped tag data over 4094 bytes", { type: "tags", room: "general", tags: { "+a": ";".repeat(2046) } }],
    ])("answers bad_frame for %s", (_name, value) => {
      expectError(decode(JSON.stringify(value)), ErrorCode.badFrame);
    });

    // Whether a name or token is valid is for the handler to say (bad_name, auth_failed, bad_password), not the decoder.
    it.each([
      ["join with an empty room", { type: "join", room: "" }],
      ["join with a 100-character room", { type: "join", room: "r".repeat(100) }],
      ["hello with an empty user", { type: "hello", user: "", password: "x" }],
      ["hello with an empty token", { type: "hello", token: "" }],
      ["hello with an oversized token", { type: "hello", token: "t".repeat(513) }],
      ["hello with a 2000-character password", { type: "hello", user: "alice", password: "p".repeat(2000) }],
      ["history with limit 1001 (capped by the handler)", { type: "history", room: "general", limit: 1001 }],
    ])("decodes %s, leaving its checks to the handler", (_name, value) => {
      expect(decode(JSON.stringify(value)).ok).toBe(true);
    });

    it("names the offending field in the message", () => {
      const d = expectError(decode('{"type":"say","room":"general","text":5}'), ErrorCode.badFrame);
      expect(d.message).toContain("text");
    });

    it("answers bad_frame for a number that overflows to Infinity, without echoing it", () => {
      const d = expectError(decode('{"type":"ping","ref":1e999}'), ErrorCode.badFrame);
      expect(d.ref).toBeUndefined();
    });
  });

  describe("ref", () => {
    it("is echoed on a bad_frame error", () => {
      const d = expectError(decode('{"type":"say","room":"general","text":5,"ref":"c1"}'), ErrorCode.badFrame);
      expect(d.ref).toBe("c1");
    });

    it("is echoed on an unknown_type error", () => {
      const d = expectError(decode('{"type":"shout","ref":7}'), ErrorCode.unknownType);
      expect(d.ref).toBe(7);
    });

    it("is echoed when the type is missing", () => {
      const d = expectError(decode('{"ref":"r9"}'), ErrorCode.badFrame);
      expect(d.ref).toBe("r9");
    });

    it("is kept on a decoded frame", () => {
      expect(expectFrame(decode('{"type":"say","room":"a","text":"b","ref":0}'))).toMatchObject({ ref: 0 });
    });

    it("is not echoed when it is over 64 characters", () => {
      const d = expectError(decode(JSON.stringify({ type: "shout", ref: "r".repeat(65) })), ErrorCode.unknownType);
      expect(d.ref).toBeUndefined();
      expect("ref" in d).toBe(false);
    });

    it("is not echoed when it is neither a string nor a number", () => {
      for (const ref of [null, true, { a: 1 }, ["c1"]]) {
        const d = expectError(decode(JSON.stringify({ type: "shout", ref })), ErrorCode.unknownType);
        expect("ref" in d).toBe(false);
      }
    });

    it("is not taken from a __proto__ key", () => {
      const d = expectError(decode('{"type":"shout","__proto__":{"ref":"stolen"}}'), ErrorCode.unknownType);
      expect("ref" in d).toBe(false);
    });
  });

  describe("prototype pollution", () => {
    const probe = () => ({}) as Record<string, unknown>;

    it("ignores a __proto__ key and leaves Object.prototype alone", () => {
      const d = decode('{"type":"ping","__proto__":{"polluted":"yes","ref":"x"}}');
      const frame = expectFrame(d);
      expect(probe().polluted).toBeUndefined();
      expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(frame)).toBe(Object.prototype);
      expect((frame as Record<string, unknown>).polluted).toBeUndefined();
      expect(frame).toEqual({ type: "ping" });
    });

    it("ignores a constructor.prototype key and leaves Object.prototype alone", () => {
      const frame = expectFrame(decode('{"type":"rooms","constructor":{"prototype":{"polluted":"yes"}}}'));
      expect(probe().polluted).toBeUndefined();
      expect(frame).toEqual({ type: "rooms" });
      expect(frame.constructor).toBe(Object);
    });

    it("does not read the type from a __proto__ key", () => {
      expectError(decode('{"__proto__":{"type":"ping"}}'), ErrorCode.badFrame);
      expect(probe().type).toBeUndefined();
    });

    it("does not let __proto__ supply a missing required field", () => {
      expectError(decode('{"type":"join","__proto__":{"room":"general"}}'), ErrorCode.badFrame);
      expect(probe().room).toBeUndefined();
    });

    it("leaves Object.prototype alone for nested __proto__ keys in every frame type", () => {
      for (const type of inboundTypes) {
        decode(`{"type":"${type}","room":"r","text":"t","to":"b","with":"b","__proto__":{"isAdmin":true},"x":{"__proto__":{"isAdmin":true}}}`);
      }
      expect(probe().isAdmin).toBeUndefined();
    });
  });

  describe("deep nesting", () => {
    const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
    const deepObject = (n: number) => '{"a":'.repeat(n) + "1" + "}".repeat(n);

    it.each([
      ["a deeply nested array", () => deep(100_000)],
      ["a deeply nested object", () => deepObject(100_000)],
      ["a deeply nested text field", () => `{"type":"say","room":"general","text":${deep(100_000)}}`],
      ["a deeply nested ref", () => `{"type":"ping","ref":${deepObject(100_000)}}`],
      ["a deeply nested type", () => `{"type":${deep(100_000)}}`],
      ["unbalanced brackets", () => "[".repeat(1_000_000)],
    ])("answers bad_frame for %s without throwing", (_name, make) => {
      const text = make();
      let d: Decoded | undefined;
      expect(() => {
        d = decode(text);
      }).not.toThrow();
      expectError(d!, ErrorCode.badFrame);
    });

    it("ignores a deeply nested field that is not in the schema", () => {
      const frame = expectFrame(decode(`{"type":"ping","junk":${deep(50_000)}}`));
      expect(frame).toEqual({ type: "ping" });
    });
  });
});

describe("outboundFrame", () => {
  it("parses every server example in docs/protocol.md", () => {
    const { outbound } = protocolExamples();
    expect(outbound.length).toBeGreaterThanOrEqual(14);
    for (const example of outbound) {
      const parsed = outboundFrame.safeParse(example);
      expect(parsed.success, `${JSON.stringify(example)}: ${parsed.error?.message}`).toBe(true);
    }
  });

  it("has a documented example for every server frame type", () => {
    const { outbound } = protocolExamples();
    const documented = new Set(outbound.map((e) => (e as { type: string }).type));
    const schemaTypes = new Set(outboundFrame.options.map((o) => o.shape.type.value as string));
    expect([...documented].sort()).toEqual([...schemaTypes].sort());
  });

  it("refuses a frame of a type the server never sends", () => {
    expect(outboundFrame.safeParse({ type: "hello", user: "a", password: "b" }).success).toBe(false);
  });

  it("refuses a notice with an undocumented kind", () => {
    expect(outboundFrame.safeParse({ type: "notice", text: "x", kind: "shout", ts: 1 }).success).toBe(false);
  });

  it("refuses a presence with an undocumented event", () => {
    expect(outboundFrame.safeParse({ type: "presence", room: "r", user: "u", event: "wave" }).success).toBe(false);
  });

  it("refuses a joined frame whose history holds a dm", () => {
    const dm = { type: "dm", id: "1764100000001-000000", from: "a", to: "b", text: "x", ts: 1 };
    expect(outboundFrame.safeParse({ type: "joined", room: "r", members: [], history: [dm], recovered: true }).success).toBe(false);
  });

  it("refuses an error without a code", () => {
    expect(outboundFrame.safeParse({ type: "error", message: "x" }).success).toBe(false);
  });
});

describe("encode", () => {
  const frame: OutboundFrame = { type: "message", id: "1764100000000-000003", room: "général", from: "bob", text: "hi ✓", ts: 1764100000000 };

  it("serialises the frame as JSON text", () => {
    const e = encode(frame);
    expect(e).toBeInstanceOf(Encoded);
    expect(JSON.parse(e.text)).toEqual(frame);
  });

  it("gives the UTF-8 bytes of the text", () => {
    const e = encode(frame);
    expect(Buffer.from(e.bytes).toString("utf8")).toBe(e.text);
    expect(e.bytes.length).toBe(Buffer.byteLength(e.text, "utf8"));
    expect(e.bytes.length).toBeGreaterThan(e.text.length);
  });

  it("computes the bytes once and shares them", () => {
    const e = encode(frame);
    expect(e.bytes).toBe(e.bytes);
  });

  it("produces frames that the outbound schema accepts", () => {
    const e = encode({ type: "error", code: ErrorCode.notInRoom, message: "not in room general", ref: "c1" });
    expect(outboundFrame.safeParse(JSON.parse(e.text)).success).toBe(true);
  });
});

describe("ClientError", () => {
  it("carries a stable code and a human message", () => {
    const e = new ClientError(ErrorCode.rateLimited, "slow down");
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe("rate_limited");
    expect(e.message).toBe("slow down");
    expect(e.name).toBe("ClientError");
  });

  it("has every code documented in the error table of docs/protocol.md", () => {
    const doc = readFileSync(new URL("../../../docs/protocol.md", import.meta.url), "utf8");
    const table = [...doc.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]!);
    expect(table.length).toBeGreaterThan(10);
    expect([...new Set(table)].sort()).toEqual(Object.values(ErrorCode).sort());
  });
});

describe("docs/protocol.md", () => {
  const doc = readFileSync(new URL("../../../docs/protocol.md", import.meta.url), "utf8");
  const section = (from: string, to: string) => doc.slice(doc.indexOf(from), doc.indexOf(to, doc.indexOf(from)));
  /** First-column backticked values of a section's table rows. */
  const firstColumn = (text: string) => text.split("\n").flatMap((l) => /^\| `?([\w]+)`? \|/.exec(l)?.[1] ?? []);
  /** Backticked names in the `###` headings of a section. */
  const headings = (text: string) => new Set(text.split("\n").filter((l) => l.startsWith("### ")).flatMap((l) => [...l.split(" — ")[0]!.matchAll(/`(\w+)`/g)].map((m) => m[1]!)));

  it("lists every error code in the error table, and only those", () => {
    const table = firstColumn(section("### `error`", "## Close codes")).filter((c) => c !== "code");
    expect(table.sort()).toEqual(Object.values(ErrorCode).sort());
  });

  it("lists every close code the server sends in the close-code table", () => {
    const table = new Set(firstColumn(section("## Close codes", "## Reconnecting")).map(Number));
    // 1011 is sent by the session's crash handler, by number.
    expect([...new Set([...Object.values(CloseCode), 1011])].filter((code) => !table.has(code))).toEqual([]);
  });

  it("has every close code of its table in docs/security.md's list of close codes, and no other", () => {
    const table = new Set(firstColumn(section("## Close codes", "## Reconnecting")).map(Number).filter(Number.isInteger));
    const security = readFileSync(new URL("../../../docs/security.md", import.meta.url), "utf8");
    const list = security.slice(security.indexOf("Close codes: "), security.indexOf("Moderation (bans", security.indexOf("Close codes: ")));
    expect(new Set([...list.matchAll(/\b([14]\d{3})\b/g)].map((m) => Number(m[1])))).toEqual(table);
  });

  it("has a section for every client frame and every server frame", () => {
    const client = headings(section("## Client → server", "## Server → client"));
    const server = headings(doc.slice(doc.indexOf("## Server → client")));
    expect([...inboundTypes].filter((t) => !client.has(t))).toEqual([]);
    const outboundTypes = outboundFrame.options.map((o) => o.shape.type.value as string);
    expect(outboundTypes.filter((t) => !server.has(t))).toEqual([]);
    expect([...server].filter((t) => !outboundTypes.includes(t))).toEqual([]);
  });
});
