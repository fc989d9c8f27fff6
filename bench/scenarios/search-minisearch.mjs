/**
 * The peer of chatd's search index in the search benchmark: the same
 * matching on minisearch (a well-kept library: an inverted index on a radix
 * tree), as branch w11-search built it. It keeps each record (text included)
 * in memory to check phrases and compute highlights, as minisearch needs the
 * documents at hand. Uses chatd's own folding and check (dist/src/search/text.js).
 */
import MiniSearch from "minisearch";

export async function miniSearchIndex() {
  const { fold, verify, queryWords, words } = await import("../../dist/src/search/text.js");
  const docs = new Map();
  const mini = new MiniSearch({
    idField: "id",
    fields: ["text", "files"],
    storeFields: [],
    extractField: (doc, field) => (field === "files" ? (doc.files ?? []).map((f) => f.name).join(" ") : doc[field]),
    tokenize: (text) => words(text),
    processTerm: (term) => term,
    searchOptions: { tokenize: (text) => words(text), processTerm: (term) => term },
  });
  return {
    add(record) {
      const kept = { id: record.id, room: record.room, from: record.from, text: record.text, ts: record.ts };
      if (record.to !== undefined) kept.to = record.to;
      docs.set(record.id, kept);
      mini.add(kept);
    },
    search(query, { allows, limit }) {
      const all = queryWords(query);
      if (all.length === 0) return { hits: [], complete: true };
      const found = mini.search(all.join(" "), {
        prefix: true,
        combineWith: "AND",
        filter: (r) => {
          const doc = docs.get(r.id);
          if (!doc || !allows(doc.room)) return false;
          if (query.from !== undefined && fold(doc.from) !== query.from) return false;
          if (query.in !== undefined && fold(doc.room) !== query.in) return false;
          return true;
        },
      });
      const ids = found.map((c) => c.id).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
      const hits = [];
      let i = 0;
      for (; i < ids.length && hits.length < limit; i++) {
        const doc = docs.get(ids[i]);
        const ranges = verify(doc.text, [], query);
        if (ranges) hits.push({ record: doc, highlights: ranges });
      }
      return { hits, complete: i >= ids.length };
    },
  };
}
