// Popup menus for a member, a message and the room on screen (the header's ⋯).
// Features add their entries with addMemberAction / addMessageAction /
// addRoomAction; each returns the items it offers for a target (or none), so new
// actions plug in without touching the menu.
import { $, el } from "./dom.js";
import { activeConv, isRoomOperator } from "./state.js";

const memberActions = [];
const messageActions = [];
const roomActions = [];
let openedFrom = null; // the button that opened the menu: focus returns there

/** `fn({ name, conv })` -> [{ id, label, run, danger? }] for a member of the room on screen. */
export function addMemberAction(fn) {
  memberActions.push(fn);
}

/** `fn({ message, conv })` -> [{ id, label, run, danger? }] for a confirmed message. */
export function addMessageAction(fn) {
  messageActions.push(fn);
}

/** `fn(conv)` -> [{ id, label, run, danger? }] for the joined room on screen, offered to its operators only. */
export function addRoomAction(fn) {
  roomActions.push(fn);
}

function roomItems(conv) {
  if (conv?.kind !== "room" || !conv.joined || !isRoomOperator(conv)) return [];
  return roomActions.flatMap((fn) => fn(conv) ?? []);
}

/** Whether the header shows the room menu's button. */
export function hasRoomActions(conv) {
  return roomItems(conv).length > 0;
}

export function openRoomMenu(anchor) {
  openMenu(anchor, roomItems(activeConv()));
}

export function openMemberMenu(anchor, name) {
  const conv = activeConv();
  openMenu(anchor, memberActions.flatMap((fn) => fn({ name, conv }) ?? []));
}

export function openMessageMenu(anchor, id) {
  const conv = activeConv();
  const message = conv?.items.find((m) => m.id === id);
  if (message) openMenu(anchor, messageActions.flatMap((fn) => fn({ message, conv }) ?? []));
}

function openMenu(anchor, items) {
  closeMenu();
  if (items.length === 0) return;
  const menu = $("menu");
  menu.replaceChildren(
    ...items.map((item) =>
      el("button", { type: "button", role: "menuitem", class: `menu-item${item.danger ? " is-danger" : ""}`, "data-testid": "menu-item", "data-item": item.id }, item.label),
    ),
  );
  const run = new Map(items.map((item) => [item.id, item.run]));
  menu.onclick = (event) => {
    const button = event.target.closest("[data-item]");
    if (!button) return;
    closeMenu(false);
    run.get(button.dataset.item)?.();
  };
  openedFrom = anchor;
  anchor.setAttribute("aria-expanded", "true");
  menu.hidden = false;
  // Below the button, kept inside the window (CSSOM styles are allowed by the CSP).
  const box = anchor.getBoundingClientRect();
  const width = menu.offsetWidth;
  const height = menu.offsetHeight;
  menu.style.left = `${Math.max(8, Math.min(box.right - width, innerWidth - width - 8))}px`;
  menu.style.top = `${box.bottom + height + 8 > innerHeight ? Math.max(8, box.top - height - 4) : box.bottom + 4}px`;
  menu.querySelector("button")?.focus();
}

/** Closes the open menu; focus goes back to the button that opened it unless `refocus` is false. */
export function closeMenu(refocus = true) {
  const menu = $("menu");
  if (menu.hidden) return;
  menu.hidden = true;
  menu.replaceChildren();
  openedFrom?.setAttribute("aria-expanded", "false");
  if (refocus) openedFrom?.focus();
  openedFrom = null;
}

/** Arrow keys move between items; Esc and Tab close. */
export function onMenuKey(event) {
  const menu = $("menu");
  if (menu.hidden) return false;
  const items = [...menu.querySelectorAll("button")];
  const at = items.indexOf(document.activeElement);
  if (event.key === "Tab") {
    closeMenu(false); // focus moves on as the key says
    return true;
  }
  if (event.key === "Escape") closeMenu();
  else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    const step = event.key === "ArrowDown" ? 1 : -1;
    items[(at + step + items.length) % items.length]?.focus();
  } else return false;
  event.preventDefault();
  return true;
}
