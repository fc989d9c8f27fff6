// Message text as a markdown subset: bold, italic, strike, inline code, code
// blocks, quotes, lists and links (and bare URLs). markdown-it parses it with raw
// HTML off; its tokens are turned into DOM nodes here, from a short list of
// elements, so no HTML string is ever parsed: text stays text, and a link is
// only ever http(s) or mailto.
import markdownit from "./vendor/markdown-it.js";
import { el } from "./dom.js";
import { nameKey } from "./text.js";

const md = markdownit("zero", { html: false, linkify: true, typographer: false }).enable([
  "blockquote",
  "code",
  "fence",
  "list",
  "newline",
  "escape",
  "backticks",
  "strikethrough",
  "emphasis",
  "link",
  "autolink",
  "entity",
  "linkify",
]);
// Bare URLs only with a scheme ("example.com" stays text), as chat users expect.
md.linkify.set({ fuzzyLink: false, fuzzyEmail: false });

/** Elements a token may open; any other opening token becomes a <span>. */
const TAGS = new Set(["p", "ul", "ol", "li", "blockquote", "em", "strong", "s", "a"]);
const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);
const MENTION = /(^|[^\p{L}\p{M}\p{N}_-])@([\p{L}\p{N}][\p{L}\p{M}\p{N}_-]*)/gu;

/** The href of a link if it is an absolute http(s) or mailto URL, else null. */
export function safeHref(href) {
  try {
    const url = new URL(href);
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * A message's text as a fragment of safe DOM. `mentions` (the message's list
 * from the server) says which `@name`s are mentions: those are highlighted,
 * and the reader's own name (or `@room`) more strongly.
 */
export function renderMarkdown(text, mentions = [], me = null) {
  const fragment = document.createDocumentFragment();
  const known = new Set((mentions ?? []).map((m) => (m === "@room" ? "@room" : nameKey(m))));
  const ctx = { known, me };
  let tokens;
  try {
    tokens = md.parse(String(text ?? ""), {});
  } catch {
    fragment.append(String(text ?? ""));
    return fragment;
  }
  build(tokens, fragment, ctx);
  return fragment;
}

function build(tokens, root, ctx) {
  const stack = [root];
  for (const token of tokens) {
    const parent = stack.at(-1);
    if (token.type === "inline") build(token.children ?? [], parent, ctx);
    else if (token.nesting === 1) {
      const node = token.hidden ? parent : open(token);
      if (node !== parent) parent.append(node);
      stack.push(node);
    } else if (token.nesting === -1) {
      if (stack.length > 1) stack.pop();
    } else leaf(token, parent, ctx);
  }
}

function open(token) {
  const tag = TAGS.has(token.tag) ? token.tag : "span";
  if (tag === "a") {
    const href = safeHref(token.attrGet("href") ?? "");
    // A link we will not follow shows its text only.
    return href ? el("a", { href, rel: "noopener noreferrer", target: "_blank" }) : el("span", { class: "md-dead-link" });
  }
  if (tag === "ol") {
    const start = Number(token.attrGet("start"));
    return el("ol", { start: Number.isInteger(start) && start > 1 ? start : null });
  }
  return el(tag);
}

function leaf(token, parent, ctx) {
  switch (token.type) {
    case "text":
      appendText(parent, token.content, ctx);
      break;
    case "code_inline":
      parent.append(el("code", {}, token.content));
      break;
    case "fence":
    case "code_block":
      parent.append(el("pre", {}, el("code", {}, token.content.replace(/\n$/, ""))));
      break;
    case "softbreak":
    case "hardbreak":
      parent.append("\n"); // the text keeps its line breaks (white-space: pre-wrap), as typed
      break;
    default:
      // Nothing else is enabled; whatever it is, it shows as text.
      if (token.content) parent.append(token.content);
  }
}

/** Text, with each `@name` the server listed as a mention in a highlighted span. */
function appendText(parent, text, { known, me }) {
  if (known.size === 0 || !text.includes("@")) {
    parent.append(text);
    return;
  }
  let last = 0;
  for (const match of text.matchAll(MENTION)) {
    const at = match.index + match[1].length;
    const name = match[2];
    const key = nameKey(name);
    const isRoom = key === "room" && known.has("@room");
    if (!isRoom && !known.has(key)) continue;
    if (at > last) parent.append(text.slice(last, at));
    const self = isRoom || (me !== null && key === me);
    parent.append(el("span", { class: `mention${self ? " is-me" : ""}`, "data-testid": "mention" }, `@${name}`));
    last = at + 1 + name.length;
  }
  if (last < text.length) parent.append(text.slice(last));
}

/** Whether a message mentions the reader (by name or `@room`), from the server's `mentions`. */
export function mentionsMe(message, meKey) {
  if (!Array.isArray(message?.mentions) || !meKey) return false;
  return message.mentions.some((m) => m === "@room" || nameKey(m) === meKey);
}

/** A one-line plain preview of a message's text (for quotes and notifications). */
export function plainPreview(text, max = 140) {
  const flat = String(text ?? "")
    .replace(/```[\s\S]*?```/g, "[code]")
    .replace(/[*_~`>#]/g, "")
    .replace(/\s+/g, " ")
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
