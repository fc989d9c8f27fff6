import { afterEach, describe, expect, it } from "vitest";
import { World } from "../helpers/harness.ts";

describe("invisible-only text", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("refuses a message or direct message made only of invisible characters like an empty one", async () => {
    const d = await world.daemon();
    const { client } = await world.member(d, "alice");
    await world.signIn(d, "bob");
    for (const text of ["\u200b", "\u200b\u200c\u200d\u2060", " \ufeff\n", "\u3164", "\u2800\u2800", "\u180e\ufe0f", "\u{e0100}"]) {
      const said = await client.request({ type: "say", room: "general", text, ref: "s" }, "ack", "error");
      expect(said, JSON.stringify(text)).toMatchObject({ type: "error", code: "bad_frame", ref: "s" });
      const sent = await client.request({ type: "dm", to: "bob", text, ref: "d" }, "ack", "error");
      expect(sent, JSON.stringify(text)).toMatchObject({ type: "error", code: "bad_frame", ref: "d" });
    }
    // Visible text beside invisible characters is a message.
    expect(await client.request({ type: "say", room: "general", text: "hi\u200b", ref: "v" }, "ack", "error")).toMatchObject({ type: "ack", ref: "v" });
  });
});
