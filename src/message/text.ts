/**
 * Characters that show nothing on their own: white space, control and format
 * characters (U+200B zero width space, U+2060 word joiner, bidi marks ...),
 * default-ignorable code points (variation selectors, fillers such as U+3164
 * HANGUL FILLER) and U+2800 BRAILLE PATTERN BLANK. A message made only of
 * these would be an empty bubble: it is refused like an empty one.
 */
const INVISIBLE_ONLY = /^[\s\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]*$/u;

/** True when `text` has nothing a reader could see (empty, blank or invisible characters only). */
export function isBlank(text: string): boolean {
  return INVISIBLE_ONLY.test(text);
}
