import { CONFUSABLES } from "./data.ts";

let table: Map<number, string> | undefined;

/** The confusables table, parsed on first use (only new names and rooms need it). */
function confusables(): Map<number, string> {
  if (table) return table;
  table = new Map();
  for (const line of CONFUSABLES.split("\n")) {
    if (!line) continue;
    const [source, ...target] = line.split(" ");
    table.set(parseInt(source!, 16), String.fromCodePoint(...target.map((h) => parseInt(h, 16))));
  }
  return table;
}

/**
 * The UTS #39 skeleton of `text` (NFD, each character replaced by its
 * confusables.txt prototype, NFD again), then lower-cased as IRC servers
 * (Ergo) do for nicks: two names with the same skeleton look alike ("аlice"
 * with a Cyrillic а, "aIice", "alıce" and "alice" all give "alice").
 */
export function skeleton(text: string): string {
  const map = confusables();
  let out = "";
  for (const ch of text.normalize("NFD")) out += map.get(ch.codePointAt(0)!) ?? ch;
  return out.normalize("NFD").toLowerCase();
}

/** The skeletons a name is known by: of what was typed (NFKC) and of its key (lower case). */
export function skeletonsOf(display: string, key: string): string[] {
  const a = skeleton(display);
  const b = skeleton(key);
  return a === b ? [a] : [a, b];
}
