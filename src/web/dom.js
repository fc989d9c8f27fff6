// DOM helpers. Safety rule for every module of the page: text that came from
// the network or the user only ever enters the page as text nodes
// (textContent, append(string)). Nothing uses innerHTML.
import { TOAST_MS } from "./settings.js";

export const $ = (id) => document.getElementById(id);

/** Builds an element. Children that are strings become text nodes (never HTML). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== undefined && child !== null && child !== false) node.append(child);
  return node;
}

/** A short message in the corner. Errors that belong to an open dialog go into the dialog instead. */
export function toast(text, kind = "error", code = "") {
  const node = el(
    "div",
    { class: `toast toast-${kind}`, "data-testid": "toast", "data-code": code, role: kind === "error" ? "alert" : null },
    el("span", {}, text),
    el("button", { type: "button", class: "icon-btn", "aria-label": "Dismiss", "data-action": "dismiss-toast" }, "×"),
  );
  const box = $("toasts");
  box.append(node);
  while (box.children.length > 3) box.firstElementChild.remove();
  setTimeout(() => node.remove(), TOAST_MS);
}

/** The aria-live region: screen readers hear new messages without focus moving. */
export function announce(text) {
  const box = $("announcer");
  box.append(el("p", {}, text));
  while (box.children.length > 5) box.firstElementChild.remove();
}
