import { afterAll, describe, expect, it } from "vitest";
import { signIn, type Frame } from "../helpers/client.ts";
import { startDaemon, type TestDaemon } from "../helpers/daemon.ts";

// docs/protocol.md, search: "Case, accents and compatibility forms are ignored", and
// highlights are the matched ranges of `text` (a word's range covers the part that matched).
const started: TestDaemon[] = [];
afterAll(async () => {
  for (const d of started) await d.close();
});

describe("search folds case whatever the letter, and highlights what matched", () => {
  it("finds a Greek word ending in a capital sigma by its capitals and its lower case, and German ß as ss", async () => {
    const d = await startDaemon({ limits: { searchesPerSecond: 100, searchBurst: 100 } });
    started.push(d);
    const ann = (await signIn(d.wsUrl, "ann")).client;
    await ann.request({ type: "join", room: "ops" }, "joined");
    await ann.request({ type: "say", room: "ops", text: "ΟΔΟΣ closed", ref: 1 }, "ack");
    await ann.request({ type: "say", room: "ops", text: "η οδος is open", ref: 2 }, "ack");
    await ann.request({ type: "say", room: "ops", text: "Straße gesperrt", ref: 3 }, "ack");
    const texts = async (q: string) => ((await ann.request({ type: "search", q }, "results")).messages as Frame[]).map((m) => [m.text, m.highlights]);
    const both = [["η οδος is open", [[2, 6]]], ["ΟΔΟΣ closed", [[0, 4]]]];
    expect(await texts("ΟΔΟΣ")).toEqual(both);
    expect(await texts("οδος")).toEqual(both);
    expect(await texts("οδοσ")).toEqual(both);
    expect(await texts('"οδος closed"')).toEqual([["ΟΔΟΣ closed", [[0, 11]]]]);
    expect(await texts("STRASSE")).toEqual([["Straße gesperrt", [[0, 6]]]]);
    expect(await texts("straße")).toEqual([["Straße gesperrt", [[0, 6]]]]);
    await ann.close();
  });

  it("gives a prefix that ends inside a ligature a range covering the ligature, never an empty one", async () => {
    const d = await startDaemon({ limits: { searchesPerSecond: 100, searchBurst: 100 } });
    started.push(d);
    const ann = (await signIn(d.wsUrl, "ann")).client;
    await ann.request({ type: "join", room: "ops" }, "joined");
    await ann.request({ type: "say", room: "ops", text: "the ﬁle is here", ref: 1 }, "ack");
    const highlights = async (q: string) => ((await ann.request({ type: "search", q }, "results")).messages as Frame[]).map((m) => m.highlights);
    expect(await highlights("f")).toEqual([[[4, 5]]]);
    expect(await highlights("fi")).toEqual([[[4, 5]]]);
    expect(await highlights("fil")).toEqual([[[4, 6]]]);
    await ann.close();
  });

  it("takes a run of CJK letters as one word, found by its beginning, and an emoji as no word", async () => {
    const d = await startDaemon({ limits: { searchesPerSecond: 100, searchBurst: 100 } });
    started.push(d);
    const ann = (await signIn(d.wsUrl, "ann")).client;
    await ann.request({ type: "join", room: "ops" }, "joined");
    await ann.request({ type: "say", room: "ops", text: "東京で会いましょう 🎉", ref: 1 }, "ack");
    const found = async (q: string) => ((await ann.request({ type: "search", q }, "results")).messages as Frame[]).map((m) => m.highlights);
    expect(await found("東京")).toEqual([[[0, 2]]]);
    expect(await found("会い")).toEqual([]);
    expect(await found("🎉")).toEqual([]);
    await ann.close();
  });
});
