import { describe, expect, it } from "vitest";
import { chatMessage, decode, directMessage } from "../../../src/message/index.ts";

const id = "AAAAAAAAAAAAAAAAAAAAAA";

describe("files in say and dm frames", () => {
  it("accepts files with text, or files without text (text then reads as empty)", () => {
    expect(decode(JSON.stringify({ type: "say", room: "general", text: "look", files: [id] }))).toEqual({ ok: true, frame: { type: "say", room: "general", text: "look", files: [id] } });
    expect(decode(JSON.stringify({ type: "say", room: "general", files: [id], ref: 1 }))).toEqual({ ok: true, frame: { type: "say", room: "general", text: "", files: [id], ref: 1 } });
    expect(decode(JSON.stringify({ type: "dm", to: "bob", files: [id] }))).toEqual({ ok: true, frame: { type: "dm", to: "bob", text: "", files: [id] } });
  });

  it("still wants text when no file comes with it", () => {
    for (const frame of [{ type: "say", room: "general" }, { type: "say", room: "general", files: [] }, { type: "dm", to: "bob" }]) {
      const d = decode(JSON.stringify({ ...frame, ref: "r" }));
      expect(d).toMatchObject({ ok: false, code: "bad_frame", ref: "r" });
      expect(d.ok === false && d.message).toMatch(/^text: /);
    }
  });

  it("refuses more than 10 files, or ids that are not strings", () => {
    expect(decode(JSON.stringify({ type: "say", room: "general", files: Array(11).fill(id) }))).toMatchObject({ ok: false, code: "bad_frame" });
    expect(decode(JSON.stringify({ type: "say", room: "general", files: [42] }))).toMatchObject({ ok: false, code: "bad_frame" });
    expect(decode(JSON.stringify({ type: "say", room: "general", files: id }))).toMatchObject({ ok: false, code: "bad_frame" });
    expect(decode(JSON.stringify({ type: "say", room: "general", files: Array(10).fill(id) })).ok).toBe(true);
  });

  it("describes files on message and dm frames, width and height for images only", () => {
    const image = { id, name: "a.png", size: 10, type: "image/png", url: `/files/${id}/a.png`, width: 2, height: 3 };
    const doc = { id, name: "a.pdf", size: 10, type: "application/pdf", url: `/files/${id}/a.pdf` };
    expect(chatMessage.safeParse({ type: "message", id: "1", room: "general", from: "a", text: "", ts: 1, files: [image, doc] }).success).toBe(true);
    expect(directMessage.safeParse({ type: "dm", id: "1", from: "a", to: "b", text: "", ts: 1, files: [doc] }).success).toBe(true);
    expect(chatMessage.safeParse({ type: "message", id: "1", room: "general", from: "a", text: "hi", ts: 1 }).success).toBe(true);
  });
});
