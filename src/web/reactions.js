// The reaction picker: common emoji in one tap, or any emoji typed (or pasted)
// into its field. A reaction toggles: picking one we already gave takes it back.
import { $, el } from "./dom.js";
import { toggleReaction } from "./changes.js";
import { findItem } from "./message-view.js";

export const COMMON_EMOJI = ["👍", "❤️", "😂", "🎉", "😮", "😢", "🙏", "👀", "✅", "🔥", "👎", "🚀"];

let target = null; // { conv, id } the picker reacts to

export function openPicker(conv, id) {
  if (!findItem(conv, id)) return;
  target = { conv: conv.key, id };
  const dialog = $("picker");
  $("picker-grid").replaceChildren(
    ...COMMON_EMOJI.map((emoji) =>
      el("button", { type: "button", class: "picker-emoji", "data-testid": "picker-emoji", "data-emoji": emoji, "aria-label": `React with ${emoji}` }, emoji),
    ),
  );
  $("picker-input").value = "";
  $("picker-error").hidden = true;
  dialog.showModal();
  $("picker-grid").querySelector("button")?.focus();
}

function pick(emoji) {
  if (!target) return;
  toggleReaction(target.id, emoji);
  target = null;
  $("picker").close();
}

/** The first emoji (grapheme cluster) of what was typed, or a `:short_name:` as it is. */
export function typedEmoji(text) {
  const value = String(text).trim();
  if (/^:[\p{L}\p{N}_+-]{1,30}:$/u.test(value)) return value;
  const first = new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(value)[Symbol.iterator]().next().value?.segment ?? "";
  return /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u.test(first) ? first : "";
}

export function wirePicker() {
  $("picker-grid").addEventListener("click", (event) => {
    const button = event.target.closest("[data-emoji]");
    if (button) pick(button.dataset.emoji);
  });
  $("picker-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const emoji = typedEmoji($("picker-input").value);
    if (!emoji) {
      $("picker-error").textContent = "Type one emoji (or a :short_name:).";
      $("picker-error").hidden = false;
      return;
    }
    pick(emoji);
  });
  // A click on the backdrop (outside the box) closes it.
  $("picker").addEventListener("click", (event) => {
    if (event.target === $("picker")) $("picker").close();
  });
}
