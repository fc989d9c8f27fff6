// Conversations: restore them after sign-in, open, switch, join, leave.
import { $, toast } from "./dom.js";
import { errorText } from "./errors.js";
import { send } from "./connection.js";
import { autosize } from "./composer.js";
import { closeDrawers } from "./drawers.js";
import { requestDmHistory } from "./model.js";
import { render } from "./render.js";
import { request } from "./requests.js";
import { conn, ensureDm, ensureRoom, lastId, saveLayout, state } from "./state.js";
import { storage } from "./storage.js";
import { nameKey } from "./text.js";
import { close as closeAutocomplete } from "./autocomplete.js";
import { renderComposeBar } from "./compose.js";
import { placeLine, readNow } from "./reading.js";
import { lineIntoView } from "./timeline.js";

/**
 * After `welcome`: the first sign-in of this page opens the user's rooms: those the
 * server says the user belongs to (`welcome.unread`, the same on every device), or
 * with an older server the ones saved in this browser; a new user gets the default room.
 */
export function restoreLayout(defaultRooms) {
  const saved = state.me ? storage.get(`layout:${state.me.key}`) : null;
  const belonged = [...state.convs.values()].some((c) => c.kind === "room");
  const rooms = state.readMarkers ? (belonged ? [] : defaultRooms.slice(0, 1)) : saved?.rooms?.length ? saved.rooms : defaultRooms.slice(0, 1);
  for (const room of rooms) ensureRoom(room);
  for (const dm of saved?.dms ?? []) ensureDm(dm.name ?? dm.key);
  const wanted = saved?.active && state.convs.has(saved.active) ? saved.active : null;
  const first = wanted ?? [...state.convs.values()].find((c) => c.kind === "room")?.key ?? null;
  if (first) activate(first); // shows "Joining…" until `joined` arrives
}

/**
 * After every `welcome`: join each room again with `since` = the last message we
 * have, so the server sends exactly what we missed; catch DMs up the same way.
 */
export function resume() {
  for (const conv of state.convs.values()) {
    if (conv.kind === "room") {
      const since = lastId(conv);
      conv.joining = since ? "since" : "fresh";
      send(since ? { type: "join", room: conv.target, since } : { type: "join", room: conv.target });
    } else {
      requestDmHistory(conv, lastId(conv) ? "since" : "initial");
    }
  }
}

/** Puts a conversation on screen (its draft into the composer). */
export function activate(key) {
  if (key !== state.active) readNow();
  const previous = state.convs.get(state.active);
  const composer = $("composer-input");
  if (previous && state.compose?.mode !== "edit") previous.draft = composer.value; // an edit's text is no draft
  if (state.compose && state.compose.conv !== key) state.compose = null;
  if (previous && previous.key !== key) previous.lineAfter = undefined; // read now: no line next time
  state.active = key;
  const conv = state.convs.get(key);
  if (conv) {
    placeLine(conv);
    composer.value = conv.draft;
  }
  autosize();
  closeAutocomplete();
  closeDrawers();
  saveLayout();
  render.all("bottom");
  renderComposeBar();
  if (conv) lineIntoView();
  if (conv && matchMedia("(pointer: fine)").matches) composer.focus();
}

/**
 * Opens room `name` (a valid name), joining it if needed. `done(error)` is called
 * with null once joined (or queued while offline), or with the refusing `error` frame.
 */
export function joinRoom(name, done) {
  const key = nameKey(name);
  const existing = state.convs.get("#" + key);
  if (existing?.joined || existing?.joining) {
    activate(existing.key);
    done?.(null);
    return;
  }
  const conv = ensureRoom(key);
  if (conn.authed) {
    conv.joining = "fresh";
    request({ type: "join", room: key }, (f) => {
      if (f.type === "joined" || f.code === "offline") return done?.(null); // offline: it joins when back
      if (!conv.joined) removeConversation(conv);
      if (done) done(f);
      else toast(errorText(f.code, f.message), "error", f.code);
    });
  } else {
    done?.(null);
  }
  activate(conv.key);
}

/** Opens the direct conversation with `name` (a user known to exist). */
export function openDm(name) {
  const known = state.convs.has("@" + nameKey(name));
  const conv = ensureDm(name);
  if (!known && conn.authed) requestDmHistory(conv, "initial");
  activate(conv.key);
}

export function leaveActive() {
  const conv = state.convs.get(state.active);
  if (!conv) return;
  if (conv.kind === "room" && conn.authed && conv.joined) send({ type: "leave", room: conv.target });
  else removeConversation(conv);
}

export function removeConversation(conv) {
  for (const p of conv.pending) state.pendingByRef.delete(p.ref);
  state.convs.delete(conv.key);
  if (state.active === conv.key) {
    state.active = null;
    const next = [...state.convs.values()][0];
    if (next) activate(next.key);
  }
  saveLayout();
  render.all();
}
