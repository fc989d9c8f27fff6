import { SCRIPTS } from "./data.ts";

/**
 * The mixed-script check of UTS #39 §5.2, at its "moderately restrictive"
 * level. Each character's scripts are its Script_Extensions, from the
 * JavaScript engine's Unicode data; Common and Inherited characters (digits,
 * `_`, `-`, combining marks) count for every script.
 */

/** UAX #31 Table 7, Recommended Scripts. */
const RECOMMENDED = new Set([
  "Arabic", "Armenian", "Bengali", "Bopomofo", "Cyrillic", "Devanagari", "Ethiopic", "Georgian", "Greek", "Gujarati",
  "Gurmukhi", "Han", "Hangul", "Hebrew", "Hiragana", "Kannada", "Katakana", "Khmer", "Lao", "Latin", "Malayalam",
  "Myanmar", "Oriya", "Sinhala", "Tamil", "Telugu", "Thaana", "Thai", "Tibetan",
]);
/** Scripts whose letters pass for Latin ones: never mixed with Latin at this level. */
const NOT_WITH_LATIN = new Set(["Cyrillic", "Greek"]);
/** The writing systems UTS #39 treats as one script ("augmented" script sets). */
const AUGMENT: Record<string, string[]> = {
  Han: ["Han_with_Bopomofo", "Japanese", "Korean"],
  Hiragana: ["Japanese"],
  Katakana: ["Japanese"],
  Hangul: ["Korean"],
  Bopomofo: ["Han_with_Bopomofo"],
};
const COMBINED = ["Japanese", "Korean", "Han_with_Bopomofo"];

let tests: Array<[string, RegExp]> | undefined;
/** One test per script this engine knows (a script newer than its Unicode data is left out). */
function scriptTests(): Array<[string, RegExp]> {
  if (tests) return tests;
  tests = [];
  for (const name of SCRIPTS) {
    try {
      tests.push([name, new RegExp(`^\\p{Script_Extensions=${name}}$`, "u")]);
    } catch {
      // Unknown to this engine's Unicode version.
    }
  }
  return tests;
}
const COMMON = /^[\p{Script_Extensions=Common}\p{Script_Extensions=Inherited}]$/u;

/** The augmented script set of one character; undefined for Common and Inherited ones (any script). */
function scriptsOf(ch: string): Set<string> | undefined {
  if (COMMON.test(ch)) return undefined;
  const set = new Set<string>();
  for (const [name, test] of scriptTests()) {
    if (!test.test(ch)) continue;
    set.add(name);
    for (const extra of AUGMENT[name] ?? []) set.add(extra);
  }
  return set;
}

function intersect(sets: Set<string>[]): Set<string> {
  const [first, ...rest] = sets;
  return new Set([...(first ?? [])].filter((s) => rest.every((r) => r.has(s))));
}

/**
 * True when `name` is at most "moderately restrictive": one script (Japanese,
 * Korean and Han with Bopomofo each count as one), or Latin with one other
 * Recommended script that is not Cyrillic or Greek.
 */
export function isModeratelyRestrictive(name: string): boolean {
  const sets = [...name].map(scriptsOf).filter((s): s is Set<string> => s !== undefined);
  if (sets.length === 0 || intersect(sets).size > 0) return true;
  const others = sets.filter((s) => !s.has("Latin"));
  const rest = intersect(others);
  if (COMBINED.some((c) => rest.has(c))) return true;
  return [...rest].some((s) => RECOMMENDED.has(s) && !NOT_WITH_LATIN.has(s));
}
