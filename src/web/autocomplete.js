// @-autocomplete in the composer: typing "@" and the start of a name lists the
// matching members of the room (and people who wrote in it); arrows move,
// Enter or Tab picks, Esc closes.
import { $, el } from "./dom.js";
import { activeConv, isMe } from "./state.js";
import { nameKey } from "./text.js";

const MAX = 8;
const BEFORE_CARET = /(^|[^\p{L}\p{M}\p{N}_-])@([\p{L}\p{M}\p{N}_-]*)$/u;

let open = null; // { start, end, names, at } while the list shows

/** Names to offer in a conversation: members online first, then authors, then `@room`. */
export function candidates(conv, prefix) {
  const key = nameKey(prefix);
  const seen = new Set();
  const names = [];
  const offer = (name) => {
    const k = nameKey(name);
    if (seen.has(k) || isMe(name) || !k.startsWith(key)) return;
    seen.add(k);
    names.push(name);
  };
  if (conv.kind === "room") {
    [...conv.members.values()].sort((a, b) => nameKey(a).localeCompare(nameKey(b))).forEach(offer);
    for (let i = conv.items.length - 1; i >= 0 && names.length < MAX; i--) offer(conv.items[i].from);
    // @room keeps its place in a full list: a big room is where it is wanted most.
    if ("room".startsWith(key)) return [...names.slice(0, MAX - 1), "room"];
  } else offer(conv.name);
  return names.slice(0, MAX);
}

export function onAutocompleteInput() {
  const input = $("composer-input");
  const conv = activeConv();
  const match = conv && input.selectionStart === input.selectionEnd ? BEFORE_CARET.exec(input.value.slice(0, input.selectionStart)) : null;
  const names = match ? candidates(conv, match[2]) : [];
  if (!match || names.length === 0) return close();
  const end = input.selectionStart;
  open = { start: end - match[2].length - 1, end, names, at: 0 };
  renderList();
}

/** Keys while the list shows; true when the key was ours. */
export function onAutocompleteKey(event) {
  if (!open) return false;
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    open.at = (open.at + (event.key === "ArrowDown" ? 1 : -1) + open.names.length) % open.names.length;
    renderList();
  } else if (event.key === "Enter" || event.key === "Tab") {
    if (event.shiftKey) return false;
    choose(open.names[open.at]);
  } else if (event.key === "Escape") close();
  else return false;
  event.preventDefault();
  return true;
}

export function choose(name) {
  if (!open) return;
  const input = $("composer-input");
  const text = `@${name} `;
  input.value = input.value.slice(0, open.start) + text + input.value.slice(open.end);
  const caret = open.start + text.length;
  close();
  input.focus();
  input.setSelectionRange(caret, caret);
  input.dispatchEvent(new Event("input")); // the draft, the counter and typing notices follow
}

export function close() {
  open = null;
  const list = $("mention-list");
  list.hidden = true;
  list.replaceChildren();
  $("composer-input").removeAttribute("aria-activedescendant");
  $("composer-input").setAttribute("aria-expanded", "false");
}

function renderList() {
  const list = $("mention-list");
  list.replaceChildren(
    ...open.names.map((name, i) =>
      el(
        "li",
        { id: `mention-option-${i}`, role: "option", class: `mention-option${i === open.at ? " is-active" : ""}`, "aria-selected": String(i === open.at), "data-testid": "mention-option", "data-name": name },
        `@${name}`,
        name === "room" ? el("span", { class: "option-hint" }, " everyone in the room") : null,
      ),
    ),
  );
  list.hidden = false;
  const input = $("composer-input");
  input.setAttribute("aria-expanded", "true");
  input.setAttribute("aria-activedescendant", `mention-option-${open.at}`);
}

export function wireAutocomplete() {
  // mousedown, not click: the input keeps its focus and caret.
  $("mention-list").addEventListener("mousedown", (event) => {
    const option = event.target.closest("[data-name]");
    if (!option) return;
    event.preventDefault();
    choose(option.dataset.name);
  });
  $("composer-input").addEventListener("blur", () => setTimeout(() => document.activeElement !== $("composer-input") && close(), 100));
}
