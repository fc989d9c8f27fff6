import { describe, expect, it } from "vitest";
import { Pacer } from "../../../src/chat/paced-encode.ts";
import { encode } from "../../../src/message/index.ts";

const message = (i: number, text = "x".repeat(4000)) => ({ type: "message" as const, id: `1764100000000-${String(i).padStart(6, "0")}`, room: "general", from: "alice", text, ts: 1764100000000 });

describe("Pacer", () => {
  it("encodes a page byte for byte as encode() does, with quotes, escapes and non-ASCII text", async () => {
    const messages = [message(1, 'say "hi"\n\\ \u2028 é 😀'), message(2, "")];
    const frame = { type: "history" as const, room: "général", messages, complete: true };
    const paced = await new Pacer().encode({ ...frame, messages: [] }, "messages", messages, (m) => m);
    expect(paced.text).toBe(encode(frame).text);
    const empty = await new Pacer().encode({ type: "dm_history" as const, with: "messages", messages: [], complete: false }, "messages", [], (m) => m);
    expect(empty.text).toBe(encode({ type: "dm_history", with: "messages", messages: [], complete: false }).text);
  });

  it("encodes a 4 MB page over many turns, at most a slice (and one message) per turn", async () => {
    const pacer = new Pacer(256 * 1024);
    const messages = Array.from({ length: 1000 }, (_, i) => message(i));
    const encoded = await pacer.encode({ type: "history", room: "general", messages: [], complete: false }, "messages", messages, (m) => m);
    expect(encoded.text.length).toBeGreaterThan(4_000_000);
    expect(pacer.turns).toBeGreaterThanOrEqual(15);
    expect(pacer.largestTurn).toBeLessThanOrEqual(256 * 1024 + JSON.stringify(messages[0]).length);
  });

  it("bounds the work per turn for all pages together, and lets other work run between slices", async () => {
    const pacer = new Pacer(64 * 1024);
    const messages = Array.from({ length: 100 }, (_, i) => message(i));
    let ticks = 0;
    let ticking = true;
    const tick = () => {
      ticks += 1;
      if (ticking) setTimeout(tick, 0);
    };
    setTimeout(tick, 0);
    const pages = await Promise.all(Array.from({ length: 5 }, () => pacer.encode({ type: "history", room: "general", messages: [], complete: true }, "messages", messages, (m) => m)));
    ticking = false;
    for (const page of pages) expect(JSON.parse(page.text).messages).toHaveLength(100);
    // 5 x 400 KB at 64 KB a turn: five pages did not share one turn's budget five times over.
    expect(pacer.largestTurn).toBeLessThanOrEqual(64 * 1024 + JSON.stringify(messages[0]).length);
    expect(pacer.turns).toBeGreaterThanOrEqual(30);
    // Other timers ran between the slices (the sockets are polled between them just the same).
    expect(ticks).toBeGreaterThanOrEqual(10);
  });
});
