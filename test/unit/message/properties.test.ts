import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decode, encode, encodeAck, encodeWelcome } from "../../../src/message/codec.ts";
import { ackFrame } from "../../../src/message/outbound.ts";
import { isNameError, normalizeName } from "../../../src/message/names.ts";
import { inboundTypes } from "../../../src/message/inbound.ts";

const types = [...inboundTypes];
const hostileKey = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "type", "ref");

/** JSON-ish values including hostile keys, deep nesting and every frame type. */
const hostileValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom(...types),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), hostileKey), tie("value"), { maxKeys: 5 }),
  ),
})).value;

const frameLike = fc.record(
  { type: fc.oneof(fc.constantFrom(...types), fc.string()), ref: hostileValue, room: hostileValue, text: hostileValue, user: hostileValue },
  { requiredKeys: [] },
);

describe("decode, for any input", () => {
  it("never throws on arbitrary text", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => {
      expect(() => decode(text)).not.toThrow();
    }));
  });

  it("never throws on arbitrary JSON, and answers an error code whenever it refuses", () => {
    fc.assert(fc.property(fc.oneof(hostileValue, frameLike), (value) => {
      const d = decode(JSON.stringify(value));
      if (!d.ok) expect(["bad_frame", "unknown_type"]).toContain(d.code);
    }));
  });

  it("never pollutes Object.prototype, whatever keys the frame has", () => {
    fc.assert(fc.property(frameLike, hostileValue, (frame, payload) => {
      const text = JSON.stringify(frame).replace(/^\{/, `{"__proto__":${JSON.stringify({ polluted: payload ?? 1 })},"constructor":{"prototype":{"polluted":1}},`);
      decode(text);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted")).toBe(false);
    }));
  });

  it("answers deeply nested JSON with an error frame instead of a stack overflow", () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    expect(() => decode(deep)).not.toThrow();
    const deepInFrame = `{"type":"say","room":"general","text":${"[".repeat(5000)}${"]".repeat(5000)}}`;
    expect(decode(deepInFrame)).toMatchObject({ ok: false, code: "bad_frame" });
  });

  it("gives a decoded frame only own, expected fields (no inherited type)", () => {
    fc.assert(fc.property(frameLike, (frame) => {
      const d = decode(JSON.stringify(frame));
      if (d.ok) expect(Object.getPrototypeOf(d.frame)).toBe(Object.prototype);
    }));
  });
});

const nameChars = fc.constantFrom(..."abcxyzABCXYZ0129_-éÉßİıǅＡｂｃ１ﬁ\u0301\u200f\u202e./\\\u0000 :ℌ".split(""));
const anyName = fc.oneof(fc.string({ minLength: 1, maxLength: 40, unit: nameChars }), fc.string({ minLength: 1, maxLength: 40, unit: "grapheme" }));

describe("normalizeName, for any input", () => {
  it("is idempotent: normalising a key gives the same key", () => {
    fc.assert(fc.property(anyName, (input) => {
      const n = normalizeName(input);
      if (isNameError(n)) return;
      const again = normalizeName(n.key);
      expect(isNameError(again) ? again : again.key).toBe(n.key);
    }));
  });

  it("always yields a key that is one safe path segment", () => {
    fc.assert(fc.property(anyName, (input) => {
      const n = normalizeName(input);
      if (isNameError(n)) return;
      expect(n.key).not.toMatch(/[/\\\0.:\s]/u);
      expect(n.key).not.toMatch(/[\p{Cc}\p{Cf}]/u);
      expect(n.key).not.toBe("..");
      expect([...n.key].length).toBeGreaterThan(0);
      expect([...n.key].length).toBeLessThanOrEqual(32);
    }));
  });

  it("treats names that differ only by case or width as the same key", () => {
    const ascii = fc.string({ minLength: 1, maxLength: 20, unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789".split("")) });
    fc.assert(fc.property(ascii, (name) => {
      const lower = normalizeName(name);
      const upper = normalizeName(name.toUpperCase());
      const wide = normalizeName([...name].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join(""));
      if (isNameError(lower)) {
        expect(isNameError(upper) && isNameError(wide)).toBe(true);
        return;
      }
      expect(upper).toMatchObject({ key: lower.key });
      expect(wide).toMatchObject({ key: lower.key });
    }));
  });
});

describe("encodeWelcome, for any welcome", () => {
  it("writes exactly the text encode() writes for the same welcome frame", () => {
    fc.assert(
      fc.property(
        fc.record({
          user: fc.string(),
          token: fc.string(),
          motd: fc.string(),
          rooms: fc.array(fc.string()),
          created: fc.boolean(),
          role: fc.constantFrom("user" as const, "moderator" as const, "admin" as const),
          unread: fc.array(fc.record({ room: fc.string(), count: fc.nat(), mentions: fc.nat() })),
          conversations: fc.array(fc.record({ with: fc.string(), lastId: fc.string(), ts: fc.nat() })),
          server: fc.record({ name: fc.string(), welcome: fc.string(), version: fc.string() }),
          limits: fc.record({ maxTextLength: fc.nat(), maxFrameBytes: fc.nat(), historyOnJoin: fc.nat() }),
        }),
        ({ rooms, ...rest }) => {
          const frame = { type: "welcome" as const, user: rest.user, token: rest.token, motd: rest.motd, rooms, created: rest.created, role: rest.role, unread: rest.unread, conversations: rest.conversations, server: rest.server, limits: rest.limits };
          expect(encodeWelcome({ ...rest, type: "welcome" }, JSON.stringify(rooms)).text).toBe(encode(frame).text);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("encodeAck, for any ack", () => {
  const ref = fc.option(fc.oneof(fc.string({ maxLength: 64 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })), { nil: undefined });
  const id = fc.oneof(fc.string(), fc.tuple(fc.nat(9_999_999_999_999), fc.nat(999_999)).map(([ms, seq]) => `${String(ms).padStart(13, "0")}-${String(seq).padStart(6, "0")}`));
  const ts = fc.oneof(fc.nat(), fc.double());

  it("writes exactly the text encode() writes for the same ack frame", () => {
    fc.assert(
      fc.property(ref, id, ts, (r, i, t) => {
        const frame = r === undefined ? { type: "ack" as const, id: i, ts: t } : { type: "ack" as const, ref: r, id: i, ts: t };
        expect(encodeAck(r, i, t).text).toBe(encode(frame).text);
      }),
      { numRuns: 500 },
    );
  });

  it("writes frames the outbound schema accepts", () => {
    fc.assert(
      fc.property(ref, id, fc.nat(), (r, i, t) => {
        expect(ackFrame.safeParse(JSON.parse(encodeAck(r, i, t).text)).success).toBe(true);
      }),
    );
  });
});
