// "Browse rooms": the server's room directory, searched and paged (`rooms` with
// query/after/limit), with each room's topic and members. The list follows the
// unasked `rooms` frames the server pushes when a room is created or a topic
// changes, while it shows the first page without a search (a room made secret
// drops out of it for non-members).
import { $, el } from "./dom.js";
import { joinRoom } from "./conversations.js";
import { openDialog } from "./dialogs.js";
import { errorText } from "./errors.js";
import { request } from "./requests.js";
import { state } from "./state.js";

const PAGE = 50;
let view = { query: "", rooms: [], next: null, loading: false, error: "" };
let searchTimer = 0;
let asked = 0; // answers to older requests are dropped

export function openBrowse() {
  view = { query: "", rooms: [], next: null, loading: false, error: "" };
  openDialog("rooms-dialog", "rooms-query");
  load(false);
}

function load(more) {
  const frame = { type: "rooms", limit: PAGE };
  if (view.query) frame.query = view.query;
  if (more && view.next) frame.after = view.next;
  const mine = ++asked;
  view.loading = true;
  view.error = "";
  renderBrowse();
  request(frame, (f) => {
    if (mine !== asked) return;
    view.loading = false;
    if (f.type === "error") view.error = errorText(f.code, f.message);
    else {
      view.rooms = more ? [...view.rooms, ...(f.rooms ?? [])] : (f.rooms ?? []);
      view.next = typeof f.next === "string" ? f.next : null;
    }
    renderBrowse();
  });
}

/** A `rooms` frame nobody asked for: the directory's fresh first page. */
export function directoryPushed(f) {
  if (!$("rooms-dialog").open || view.query !== "" || view.loading) return;
  const first = f.rooms ?? [];
  if (typeof f.next !== "string") {
    // The whole directory fits in the pushed page.
    view.rooms = first;
    view.next = null;
  } else {
    // Further pages the reader loaded stay: the rooms after the pushed page's end (names in
    // the directory's order, UTF-16 code units), also once every page is loaded (next null).
    const end = f.next;
    const extra = view.rooms.filter((room) => room.name > end);
    if (extra.length === 0) view.next = end;
    view.rooms = [...first, ...extra];
  }
  renderBrowse();
}

/**
 * The sidebar lists the directory's rooms beside one's own. A `rooms` frame
 * without a ref is the directory's first page, so a room missing from the names it
 * covers (up to its `next`) is gone for us: forgotten, or made secret (issue 21).
 * Rooms we are in or belong to stay.
 */
export function pruneDirectory(f) {
  const listed = new Set((f.rooms ?? []).map((room) => room.name));
  const end = typeof f.next === "string" ? f.next : null;
  for (const name of [...state.directory.keys()]) {
    if (listed.has(name) || state.myRooms.has(name) || state.convs.has("#" + name)) continue;
    if (end === null || name <= end) state.directory.delete(name); // `<=`: UTF-16 code units, the directory's order
  }
}

export function onBrowseInput() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    view.query = $("rooms-query").value.trim();
    load(false);
  }, 200);
}

export function browseMore() {
  if (view.next && !view.loading) load(true);
}

export function openFromBrowse(name) {
  $("rooms-dialog").close();
  joinRoom(name);
}

function renderBrowse() {
  const rows = view.rooms.map((room) => {
    const joined = state.convs.has("#" + room.name);
    return el(
      "li",
      { class: "dir-row", "data-testid": "dir-room", "data-room": room.name },
      el(
        "div",
        { class: "dir-main" },
        el("span", { class: "dir-name" }, `#${room.name}`),
        room.topic ? el("span", { class: "dir-topic", "data-testid": "dir-topic" }, room.topic) : null,
      ),
      el("span", { class: "dir-count", title: `${room.members} online` }, `${room.members} online`),
      el("button", { type: "button", class: "btn btn-small", "data-action": "open-room", "data-room": room.name, "data-testid": "dir-open" }, joined ? "Open" : "Join"),
    );
  });
  if (rows.length === 0 && !view.loading) rows.push(el("li", { class: "dir-empty" }, view.query ? `No room matches “${view.query}”.` : "No rooms yet. Create one with “+”."));
  $("rooms-results").replaceChildren(...rows);
  $("rooms-more").hidden = !view.next;
  $("rooms-more").disabled = view.loading;
  const status = $("rooms-dialog").querySelector(".dialog-status");
  status.textContent = view.loading ? "Loading…" : "";
  const error = $("rooms-dialog").querySelector(".form-error");
  error.textContent = view.error;
  error.hidden = !view.error;
}
