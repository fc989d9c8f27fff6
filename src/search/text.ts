/**
 * Text folding, query parsing and highlights for search. Folding is per
 * character (lower case, accents dropped), and keeps a map back to the
 * original UTF-16 offsets so highlights point into the text as stored.
 */

/** Most query words (and phrase words) one query may hold: bounds the work per query. */
export const MAX_QUERY_WORDS = 12;

const MARKS = /\p{M}/gu;
const WORD = /[\p{L}\p{N}_]+/gu;

/** A text folded for matching, with the original offset of each folded code unit (plus the end). */
export type Folded = { text: string; from: number[] };

/** Lower case, accents dropped: "Café" -> "cafe". */
export function fold(text: string): string {
  return text.normalize("NFD").replace(MARKS, "").toLowerCase();
}

/** Folds character by character, remembering where each folded unit came from. */
export function foldWithOffsets(text: string): Folded {
  let out = "";
  const from: number[] = [];
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const folded = fold(text.slice(i, i + width));
    for (let k = 0; k < folded.length; k++) from.push(i);
    out += folded;
    i += width;
  }
  from.push(text.length);
  return { text: out, from };
}

/** The words of a folded text (what the index stores). */
export function words(text: string): string[] {
  return fold(text).match(WORD) ?? [];
}

export type ParsedQuery = {
  /** Folded words that must each begin a word of the message (prefix match). */
  terms: string[];
  /** Folded phrases (words joined by one space) that must occur in order. */
  phrases: string[][];
  /** `from:name`: the sender's name, folded. */
  from?: string;
  /** `in:room`: the room, folded. */
  in?: string;
};

/** Parses `q`: words, "quoted phrases", `from:` and `in:` filters. */
export function parseQuery(q: string): ParsedQuery {
  const parsed: ParsedQuery = { terms: [], phrases: [] };
  const rest = q.replace(/"([^"]*)"?/g, (_, phrase: string) => {
    const ws = words(phrase);
    if (ws.length > 0) parsed.phrases.push(ws);
    return " ";
  });
  for (const token of rest.split(/\s+/)) {
    const filter = /^(from|in):(.+)$/i.exec(token);
    if (filter) {
      const value = fold(filter[2]!).replace(/^#/, "");
      if (filter[1]!.toLowerCase() === "from") parsed.from = value;
      else parsed.in = value;
      continue;
    }
    parsed.terms.push(...words(token));
  }
  parsed.terms = [...new Set(parsed.terms)];
  let budget = MAX_QUERY_WORDS;
  parsed.terms = parsed.terms.slice(0, budget);
  budget -= parsed.terms.length;
  parsed.phrases = parsed.phrases.filter((p) => (budget -= p.length) >= 0);
  return parsed;
}

/** Every word the index must find (terms and phrase words), each once. */
export function queryWords(query: ParsedQuery): string[] {
  return [...new Set([...query.terms, ...query.phrases.flat()])];
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);
}

/** Where `needle` starts a word in the folded text (a word prefix), as folded ranges. */
function wordStarts(folded: string, needle: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let at = folded.indexOf(needle); at !== -1; at = folded.indexOf(needle, at + 1)) {
    if (!isWordChar(folded[at - 1])) out.push([at, at + needle.length]);
  }
  return out;
}

/** A phrase's occurrences: its words in order, separated only by non-word characters, the last one a prefix. */
function phraseRanges(folded: string, phrase: string[]): Array<[number, number]> {
  const source = phrase.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[^\\p{L}\\p{N}_]+");
  const re = new RegExp(`(?<![\\p{L}\\p{N}_])${source}`, "gu");
  const out: Array<[number, number]> = [];
  for (const m of folded.matchAll(re)) out.push([m.index!, m.index! + m[0].length]);
  return out;
}

/**
 * The ranges of `text` the query matches, as UTF-16 offsets [start, end) into
 * the original text, sorted and merged; undefined when a phrase is missing
 * (the index matches words, the phrase's order is checked here).
 */
export function highlights(text: string, query: ParsedQuery): Array<[number, number]> | undefined {
  const folded = foldWithOffsets(text);
  const ranges: Array<[number, number]> = [];
  for (const phrase of query.phrases) {
    const found = phraseRanges(folded.text, phrase);
    if (found.length === 0) return undefined;
    ranges.push(...found);
  }
  for (const term of query.terms) ranges.push(...wordStarts(folded.text, term));
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [s, e] of ranges) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged.map(([s, e]) => [folded.from[s]!, e >= folded.from.length - 1 ? text.length : folded.from[e]!]);
}
