/**
 * Text folding, query parsing, the check of a candidate and its highlights.
 * Folding (compatibility decomposition, marks dropped, lower case) is per
 * character and keeps a map back to the original UTF-16 offsets, so
 * highlights point into the text as stored.
 */

/** Most query words (and phrase words) one query may hold: bounds the work per query. */
export const MAX_QUERY_WORDS = 12;
/** Words are indexed by their first 64 characters (a longer one is checked whole on the text). */
export const MAX_TERM = 64;

const MARKS = /\p{M}/gu;
const WORD = /[\p{L}\p{N}_]+/gu;

/** A text folded for matching, with the original offset of each folded code unit (plus the end). */
export type Folded = { text: string; from: number[] };

/**
 * Lower case, accents dropped, compatibility forms unfolded: "Café" -> "cafe", "ﬁle" -> "file".
 * Final sigma and sharp s fold as Unicode case folding does (ς -> σ, ß -> ss): toLowerCase
 * picks ς by context, which a per-character fold (foldWithOffsets) cannot see.
 */
export function fold(text: string): string {
  return text.normalize("NFKD").replace(MARKS, "").toLowerCase().replace(/ς/g, "σ").replace(/ß/g, "ss");
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

/** The words of a folded text. */
export function words(text: string): string[] {
  return fold(text).match(WORD) ?? [];
}

/** The terms a message is indexed by: the words of its text and its file names, each once, cut to MAX_TERM. */
export function indexTerms(text: string, fileNames: readonly string[] = []): Set<string> {
  const out = new Set<string>();
  for (const source of [text, ...fileNames]) for (const w of words(source)) out.add(w.length > MAX_TERM ? w.slice(0, MAX_TERM) : w);
  return out;
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

/**
 * Parses `q`: words, "quoted phrases", `from:` and `in:` filters. Words count
 * in the order of `q` (a repeated word once) up to MAX_QUERY_WORDS; a phrase
 * that does not fit whole is ignored, as is everything after the budget.
 */
export function parseQuery(q: string): ParsedQuery {
  const parsed: ParsedQuery = { terms: [], phrases: [] };
  const seen = new Set<string>();
  let budget = MAX_QUERY_WORDS;
  for (const m of q.matchAll(/"([^"]*)"?|[^\s"]+/g)) {
    if (m[1] !== undefined) {
      const ws = words(m[1]);
      if (ws.length === 0) continue;
      if (ws.length <= budget) parsed.phrases.push(ws);
      budget = ws.length <= budget ? budget - ws.length : 0;
      continue;
    }
    const filter = /^(from|in):(.+)$/i.exec(m[0]);
    if (filter) {
      const value = fold(filter[2]!).replace(/^#/, "");
      if (filter[1]!.toLowerCase() === "from") parsed.from = value;
      else parsed.in = value;
      continue;
    }
    for (const w of words(m[0])) {
      if (seen.has(w) || budget === 0) continue;
      seen.add(w);
      parsed.terms.push(w);
      budget -= 1;
    }
  }
  return parsed;
}

/** Every word the index must find (terms and phrase words, as prefixes cut to MAX_TERM), each once. */
export function queryWords(query: ParsedQuery): string[] {
  return [...new Set([...query.terms, ...query.phrases.flat()].map((w) => w.slice(0, MAX_TERM)))];
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
 * Whether a message matches the query, checked on its text and file names:
 * every term begins a word, every phrase occurs in order (in the text or in a
 * file name). If it does, the ranges of its text that match, as UTF-16
 * offsets [start, end) into the text as stored, sorted and merged (none when
 * only file names match); undefined if it does not.
 */
export function verify(text: string, fileNames: readonly string[], query: ParsedQuery): Array<[number, number]> | undefined {
  const folded = foldWithOffsets(text);
  let names: string | undefined;
  const inNames = (find: (s: string) => Array<[number, number]>) => find((names ??= fold(fileNames.join("\n")))).length > 0;
  const ranges: Array<[number, number]> = [];
  for (const phrase of query.phrases) {
    const found = phraseRanges(folded.text, phrase);
    if (found.length === 0 && !inNames((s) => phraseRanges(s, phrase))) return undefined;
    ranges.push(...found);
  }
  for (const term of query.terms) {
    const found = wordStarts(folded.text, term);
    if (found.length === 0 && !inNames((s) => wordStarts(s, term))) return undefined;
    ranges.push(...found);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [s, e] of ranges) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged.map(([s, e]) => [folded.from[s]!, endOf(folded.from, e)]);
}

/** The original offset a folded range ending at `e` ends at: past the whole character its last unit came from ("f" of "ﬁ" covers the ﬁ). */
function endOf(from: number[], e: number): number {
  let k = e;
  while (from[k]! <= from[e - 1]!) k++;
  return from[k]!;
}
