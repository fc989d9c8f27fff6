/**
 * The `emoji` of a `react` (issue 19): one emoji, a single grapheme cluster
 * that is pictographic, a flag (two regional indicators) or a keycap; or a
 * `:short_name:` of at most 32 characters (letters, digits, `_`, `+`, `-`).
 */
const SHORT_NAME = /^:[a-z0-9_+-]{1,30}:$/i;
const PICTOGRAPHIC = /\p{Extended_Pictographic}|\p{Emoji_Presentation}/u;
const FLAG = /^\p{Regional_Indicator}{2}$/u;
const LONE_INDICATOR = /^\p{Regional_Indicator}$/u;
const KEYCAP = /^[0-9#*]\uFE0F?\u20E3$/u;

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

export function isReactionEmoji(emoji: string): boolean {
  if (emoji.startsWith(":")) return emoji.length <= 32 && SHORT_NAME.test(emoji);
  // Bounded before segmenting: the longest real emoji (ZWJ families, tags) is well under 64 code units.
  if (emoji.length === 0 || emoji.length > 64) return false;
  const segments = segmenter.segment(emoji)[Symbol.iterator]();
  const first = segments.next();
  if (first.done || !segments.next().done) return false;
  const cluster = first.value.segment;
  // A lone regional indicator has Emoji_Presentation but is half a flag, no emoji.
  if (LONE_INDICATOR.test(cluster)) return false;
  return FLAG.test(cluster) || KEYCAP.test(cluster) || PICTOGRAPHIC.test(cluster);
}
