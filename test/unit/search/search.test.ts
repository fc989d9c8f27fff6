import { describe, expect, it } from "vitest";
import { parseQuery, verify } from "../../../src/search/text.ts";
import { SearchIndex } from "../../../src/search/search-index.ts";
import { ChatSearch } from "../../../src/search/chat-search.ts";
import { ArrayCursor, Postings, UnionCursor } from "../../../src/search/postings.ts";
import type { KeptLog, KeptRecord } from "../../../storage/chatlog/kept.ts";
import type { MessageRecord as ChatRecord } from "../../../storage/chatlog/types.ts";

const idOf = (n: number) => `1764100000000-${String(n).padStart(6, "0")}`;
const rec = (n: number, room: string, from: string, text: string, extra: Partial<ChatRecord> = {}): ChatRecord => ({ id: idOf(n), room, from, text, ts: 1764100000000, ...extra });
const everyone = { allows: () => true };
/** The candidates' ids (the pauses left out). */
const idsOf = (candidates: Iterable<{ id: string } | null>) => [...candidates].flatMap((c) => (c ? [c.id] : []));

/** A log in memory: what the index reads back (the embedded and Redis ones are tested through the daemon). */
function memoryKept(records: ChatRecord[] = [], options: { scanGate?: Promise<void> } = {}) {
  const byId = new Map(records.map((r) => [r.id, r]));
  const kept: KeptLog & { store(r: ChatRecord): void; drop(id: string): void } = {
    async scan(onChunk) {
      await options.scanGate;
      const all: KeptRecord[] = records.map((record) => ({ record, at: undefined }));
      for (let i = 0; i < all.length; i += 2) await onChunk(all.slice(i, i + 2));
    },
    placeOf: () => undefined,
    async read(refs) {
      return refs.map((r) => byId.get(r.id));
    },
    keptFrom: () => 0,
    store(r) {
      byId.set(r.id, r);
    },
    drop(id) {
      byId.delete(id);
    },
  };
  return kept;
}

async function searchOf(records: ChatRecord[]) {
  const kept = memoryKept(records);
  const search = new ChatSearch(kept, () => 1);
  await search.rebuild();
  return { search, kept, q: (q: string, limit = 20, scope: Partial<{ allows: (r: string) => boolean; before: string }> = {}) => search.search(parseQuery(q), { ...everyone, ...scope }, limit) };
}

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
  it("counts words in the order of q, a repeated one once; a phrase that does not fit whole is dropped", () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `w${i}`).join(" ");
    const first = parseQuery(`"release notes" ${eleven} last`);
    expect(first.phrases).toEqual([["release", "notes"]]);
    expect(first.terms).toEqual(Array.from({ length: 10 }, (_, i) => `w${i}`));
    const after = parseQuery(`${eleven} "release notes" w0 w0 extra`);
    expect(after.phrases).toEqual([]);
    expect(after.terms).toEqual(Array.from({ length: 11 }, (_, i) => `w${i}`));
    expect(parseQuery(`a a a b "c d" e`)).toMatchObject({ terms: ["a", "b", "e"], phrases: [["c", "d"]] });
  });
});

describe("verify", () => {
  it("gives UTF-16 ranges into the original text, accents, case and compatibility forms ignored", () => {
    expect(verify("Un Café noir", [], parseQuery("cafe"))).toEqual([[3, 7]]);
    expect(verify("🎉 deploy done", [], parseQuery("deplo"))).toEqual([[3, 8]]);
    expect(verify("the ﬁle", [], parseQuery("file"))).toEqual([[4, 7]]);
  });
  it("folds a final sigma and a sharp s as case folding does, and ends a range after the whole character it stops in", () => {
    expect(verify("ΟΔΟΣ closed", [], parseQuery("οδος"))).toEqual([[0, 4]]);
    expect(verify("η οδος", [], parseQuery("ΟΔΟΣ"))).toEqual([[2, 6]]);
    expect(verify("Straße", [], parseQuery("STRASSE"))).toEqual([[0, 6]]);
    expect(verify("the ﬁle", [], parseQuery("f"))).toEqual([[4, 5]]);
    expect(verify("cafe\u0301 noir", [], parseQuery("cafe"))).toEqual([[0, 5]]);
  });
  it("matches a word prefix only at a word start", () => {
    expect(verify("redeploy", [], parseQuery("deploy"))).toBeUndefined();
  });
  it("needs a phrase in order", () => {
    expect(verify("now deploy", [], parseQuery('"deploy now"'))).toBeUndefined();
    expect(verify("we deploy, now!", [], parseQuery('"deploy now"'))).toEqual([[3, 14]]);
    expect(verify("deploy 🎉 now", [], parseQuery('"deploy now"'))).toEqual([[0, 13]]);
  });
  it("accepts a word found in a file name, with no range in the text", () => {
    expect(verify("look", ["Quarterly-report.pdf"], parseQuery("quarterly"))).toEqual([]);
    expect(verify("look", ["Quarterly-report.pdf"], parseQuery("yearly"))).toBeUndefined();
  });
});

describe("SearchIndex", () => {
  it("keeps documents of any gap, newest first, across many blocks, and seeks", () => {
    const postings = new Postings();
    const a = postings.newTerm();
    const b = postings.newTerm();
    const docs: number[] = [];
    for (let d = 0, step = 1; d < 2 ** 31; d += step, step = Math.min(2 ** 29, step * 2 + 1)) docs.push(d);
    for (let d = 0; d < 5000; d++) docs.push(2 ** 31 + d);
    for (const d of docs) {
      postings.add(a, d);
      if (d % 2 === 0) postings.add(b, d);
    }
    const walk = (c: { doc: number; next(): void }) => {
      const out: number[] = [];
      for (; c.doc >= 0; c.next()) out.push(c.doc);
      return out;
    };
    expect(walk(postings.cursor(a))).toEqual([...docs].reverse());
    expect(walk(postings.cursor(b))).toEqual(docs.filter((d) => d % 2 === 0).reverse());
    const c = postings.cursor(a);
    c.seek(2 ** 31 - 1);
    expect(c.doc).toBe(docs.filter((d) => d <= 2 ** 31 - 1).pop());
    expect(postings.count(a)).toBe(docs.length);
    const u = new UnionCursor([postings.cursor(a), postings.cursor(b), new ArrayCursor([1, 2 ** 31 + 7])]);
    expect(walk(u)).toEqual([...new Set([...docs, 1])].sort((x, y) => y - x));
  });
  it("refuses a message older than the newest indexed", () => {
    const index = new SearchIndex();
    expect(index.add(rec(2, "r", "a", "x"))).toBe(true);
    expect(index.add(rec(1, "r", "a", "x"))).toBe(false);
    expect(index.add(rec(2, "r", "a", "x"))).toBe(false);
    expect(index.size).toBe(1);
  });
  it("finds prefixes among thousands of words (the sorted dictionary and its fresh part)", () => {
    const index = new SearchIndex();
    for (let n = 1; n <= 3000; n++) index.add(rec(n, "r", "a", `word${n} shared`));
    expect(idsOf(index.candidates(parseQuery("word299"), everyone))).toEqual([idOf(2999), idOf(2998), idOf(2997), idOf(2996), idOf(2995), idOf(2994), idOf(2993), idOf(2992), idOf(2991), idOf(2990), idOf(299)]);
  });
  it("pauses now and then on a long walk, so the caller can let the event loop run", () => {
    const index = new SearchIndex();
    for (let n = 1; n <= 10_000; n++) index.add(rec(n, n === 1 ? "mine" : "other", "a", "common"));
    const all = [...index.candidates(parseQuery("common"), { allows: (r) => r === "mine" })];
    expect(all.filter((c) => c === null).length).toBeGreaterThan(0);
    expect(idsOf(all)).toEqual([idOf(1)]);
  });
  it("forgets what rotation deleted", () => {
    const index = new SearchIndex();
    index.add(rec(1, "r", "a", "old"), { segment: 1, offset: 0, length: 10 });
    index.add(rec(2, "r", "a", "old"), { segment: 2, offset: 0, length: 10 });
    index.dropBelowSegment(2);
    expect(idsOf(index.candidates(parseQuery("old"), everyone))).toEqual([idOf(2)]);
  });
});

describe("ChatSearch", () => {
  it("needs every word, newest first, with highlights read back from the log", async () => {
    const { q } = await searchOf([rec(1, "general", "alice", "deploy the café"), rec(2, "general", "bob", "café closed"), rec(3, "general", "bob", "Deployment of the CAFE app")]);
    const page = await q("cafe deplo");
    expect(page.hits.map((h) => h.record.id)).toEqual([idOf(3), idOf(1)]);
    expect(page.hits[0]!.highlights).toEqual([[0, 5], [18, 22]]);
    expect(page.complete).toBe(true);
  });
  it("filters by from:, in:, scope and before, and pages", async () => {
    const records = [1, 2, 3, 4, 5].map((i) => rec(i, i % 2 ? "general" : "random", i < 3 ? "Alice" : "bob", `hello ${i}`));
    const { q } = await searchOf(records);
    expect((await q("hello from:ALICE")).hits).toHaveLength(2);
    expect((await q("hello from:nobody")).hits).toHaveLength(0);
    expect((await q("hello in:random")).hits).toHaveLength(2);
    expect((await q("hello", 20, { allows: (r) => r === "general" })).hits).toHaveLength(3);
    const first = await q("hello", 2);
    expect(first.complete).toBe(false);
    const next = await q("hello", 2, { before: first.hits[1]!.record.id });
    expect(next.hits.map((h) => h.record.text)).toEqual(["hello 3", "hello 2"]);
    expect((await q("hello", 2, { before: next.hits[1]!.record.id })).complete).toBe(true);
  });
  it("checks phrases on the text read back, and pages past candidates that fail", async () => {
    const records = Array.from({ length: 60 }, (_, i) => rec(i + 1, "r", "a", i % 3 === 0 ? "ship it now" : "now ship it"));
    const { q } = await searchOf(records);
    const page = await q('"ship it now"', 5);
    expect(page.hits.map((h) => h.record.id)).toEqual([58, 55, 52, 49, 46].map(idOf));
    expect(page.hits[0]!.highlights).toEqual([[0, 11]]);
    expect((await q('"ship it now"', 100)).hits).toHaveLength(20);
  });
  it("finds an edited message by its new text only, and never a removed one", async () => {
    const { search, q } = await searchOf([rec(1, "general", "alice", "old words"), rec(2, "general", "alice", "gone words"), rec(3, "general", "alice", "other")]);
    search.index.replace(idOf(1), "new text");
    search.index.remove(idOf(2));
    expect((await q("old")).hits).toHaveLength(0);
    expect((await q("gone")).hits).toHaveLength(0);
    const edited = await q("new");
    expect(edited.hits.map((h) => [h.record.id, h.record.text, h.highlights])).toEqual([[idOf(1), "new text", [[0, 3]]]]);
    search.index.replace(idOf(1), "newer still");
    expect((await q("text")).hits).toHaveLength(0);
    expect((await q("newer")).hits).toHaveLength(1);
  });
  it("reads an edited message's text back from its edit's record, and never shows the old one", async () => {
    const { search, kept, q } = await searchOf([rec(1, "r", "a", "first draft", { files: [{ id: "f", name: "plan.pdf", size: 1, type: "application/pdf", url: "/files/f/plan.pdf" }] })]);
    const edit = { kind: "edit" as const, id: idOf(2), room: "r", by: "a", target: idOf(1), author: "a", text: "final words", ts: 1764100000001 };
    kept.store(edit as unknown as ChatRecord);
    search.stored(edit);
    expect((await q("draft")).hits).toHaveLength(0);
    expect((await q("final")).hits.map((h) => [h.record.text, h.highlights])).toEqual([["final words", [[0, 5]]]]);
    expect((await q("plan")).hits.map((h) => h.record.text)).toEqual(["final words"]);
    kept.drop(idOf(2));
    expect((await q("final")).hits).toHaveLength(0);
  });

  it("matches a file name", async () => {
    const file = { id: "f", name: "Quarterly-report.pdf", size: 1, type: "application/pdf", url: "/files/f/x" };
    const { q } = await searchOf([rec(1, "general", "alice", "look", { files: [file] })]);
    const page = await q("quarterly");
    expect(page.hits).toHaveLength(1);
    expect(page.hits[0]!.highlights).toEqual([]);
  });
  it("forgets a candidate the log no longer keeps", async () => {
    const { kept, q, search } = await searchOf([rec(1, "r", "a", "trimmed"), rec(2, "r", "a", "trimmed")]);
    kept.drop(idOf(1));
    expect((await q("trimmed")).hits.map((h) => h.record.id)).toEqual([idOf(2)]);
    expect(search.index.stats().removed).toBe(1);
  });
  it("builds again when asked (a lost index), from what is kept then", async () => {
    const { search, kept, q } = await searchOf([rec(1, "r", "a", "kept")]);
    search.index.remove(idOf(1));
    expect((await q("kept")).hits).toHaveLength(0);
    const again = search.rebuild();
    expect(search.state().ready).toBe(false);
    await again;
    expect((await q("kept")).hits.map((h) => h.record.id)).toEqual([idOf(1)]);
    expect(kept.keptFrom()).toBe(0);
  });
  it("is unavailable while it builds, and keeps what is stored meanwhile, each once", async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const kept = memoryKept([rec(1, "r", "a", "early"), rec(2, "r", "a", "early")], { scanGate: gate });
    const search = new ChatSearch(kept, () => 1);
    const built = search.rebuild();
    const state = search.state();
    expect(state.ready).toBe(false);
    expect(state.ready === false && state.retryAfterMs).toBeGreaterThan(0);
    // Stored during the build: the second one is also read by the scan.
    const live = rec(3, "r", "a", "early live");
    kept.store(live);
    search.stored(rec(2, "r", "a", "early"));
    search.stored(live);
    open();
    await built;
    expect(search.state()).toEqual({ ready: true });
    expect((await search.search(parseQuery("early"), everyone, 20)).hits.map((h) => h.record.id)).toEqual([idOf(3), idOf(2), idOf(1)]);
  });
});
