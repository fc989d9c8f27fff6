import { describe, expect, it } from "vitest";
import { highlights, parseQuery } from "../../../src/search/text.ts";
import { SearchIndex, type IndexedRecord } from "../../../src/search/search-index.ts";
import { applyToIndex } from "../../../src/search/apply.ts";

const rec = (n: number, room: string, from: string, text: string, extra: Partial<IndexedRecord> = {}): IndexedRecord => ({
  id: `1764100000000-${String(n).padStart(6, "0")}`,
  room,
  from,
  text,
  ts: 1764100000000,
  ...extra,
});
const all = { allows: () => true, limit: 20 };

describe("query parsing", () => {
  it("splits words, phrases and filters, folded", () => {
    const q = parseQuery('Café "Deploy NOW" from:Alice in:#General extra');
    expect(q.terms).toEqual(["cafe", "extra"]);
    expect(q.phrases).toEqual([["deploy", "now"]]);
    expect(q.from).toBe("alice");
    expect(q.in).toBe("general");
  });
  it("bounds the number of words", () => {
    expect(parseQuery(Array.from({ length: 40 }, (_, i) => `w${i}`).join(" ")).terms.length).toBe(12);
  });
});

describe("highlights", () => {
  it("gives UTF-16 ranges into the original text, accents and case ignored", () => {
    expect(highlights("Un Café noir", parseQuery("cafe"))).toEqual([[3, 7]]);
    expect(highlights("🎉 deploy done", parseQuery("deplo"))).toEqual([[3, 8]]);
  });
  it("matches a word prefix only at a word start", () => {
    expect(highlights("redeploy", parseQuery("deploy"))).toEqual([]);
  });
  it("needs a phrase in order", () => {
    expect(highlights("now deploy", parseQuery('"deploy now"'))).toBeUndefined();
    expect(highlights("we deploy, now!", parseQuery('"deploy now"'))).toEqual([[3, 14]]);
  });
});

describe("SearchIndex", () => {
  it("needs every word, newest first, with highlights", () => {
    const index = new SearchIndex();
    index.add(rec(1, "general", "alice", "deploy the café"));
    index.add(rec(2, "general", "bob", "café closed"));
    index.add(rec(3, "general", "bob", "Deployment of the CAFE app"));
    const page = index.search(parseQuery("cafe deplo"), all);
    expect(page.hits.map((h) => h.record.id)).toEqual([rec(3, "", "", "").id, rec(1, "", "", "").id]);
    expect(page.hits[0]!.highlights).toEqual([[0, 5], [18, 22]]);
    expect(page.complete).toBe(true);
  });
  it("filters by from:, in:, scope and before, and pages", () => {
    const index = new SearchIndex();
    for (let i = 1; i <= 5; i++) index.add(rec(i, i % 2 ? "general" : "random", i < 3 ? "alice" : "bob", `hello ${i}`));
    expect(index.search(parseQuery("hello from:ALICE"), all).hits).toHaveLength(2);
    expect(index.search(parseQuery("hello in:random"), all).hits).toHaveLength(2);
    expect(index.search(parseQuery("hello"), { allows: (r) => r === "general", limit: 20 }).hits).toHaveLength(3);
    const first = index.search(parseQuery("hello"), { ...all, limit: 2 });
    expect(first.complete).toBe(false);
    const next = index.search(parseQuery("hello"), { ...all, limit: 2, before: first.hits[1]!.record.id });
    expect(next.hits.map((h) => h.record.text)).toEqual(["hello 3", "hello 2"]);
  });
  it("finds an edited message by its new text only, and never a removed one", () => {
    const index = new SearchIndex();
    index.add(rec(1, "general", "alice", "old words"));
    index.add(rec(2, "general", "alice", "gone words"));
    index.update(rec(1, "", "", "").id, "new text");
    index.remove(rec(2, "", "", "").id);
    expect(index.search(parseQuery("old"), all).hits).toHaveLength(0);
    expect(index.search(parseQuery("gone"), all).hits).toHaveLength(0);
    expect(index.search(parseQuery("new"), all).hits).toHaveLength(1);
  });
  it("matches a file name, with no range in the text", () => {
    const index = new SearchIndex();
    index.add(rec(1, "general", "alice", "look", { files: [{ name: "Quarterly-report.pdf" }] }));
    const page = index.search(parseQuery("quarterly"), all);
    expect(page.hits).toHaveLength(1);
    expect(page.hits[0]!.highlights).toEqual([]);
  });
  it("applyToIndex adds a stored message", () => {
    const index = new SearchIndex();
    applyToIndex(index, rec(1, "general", "alice", "hi there"));
    expect(index.size).toBe(1);
  });
});
