// What the page does with each frame the server sends (docs/protocol.md, "Server → client").
import { announce, toast } from "./dom.js";
import { send, setStatus, startKeepalive } from "./connection.js";
import { activate, removeConversation, restoreLayout, resume } from "./conversations.js";
import { errorText } from "./errors.js";
import { addItem, forgetPending, insertItem, replaceItems, requestDmHistory, settlePending } from "./model.js";
import { addNotice, clearNotices, showMotd } from "./notices.js";
import { render } from "./render.js";
import { answer } from "./requests.js";
import { continueJump } from "./search.js";
import { ROOMS_REFRESH_MS, TYPING_SHOW_MS } from "./settings.js";
import { showApp, signinFailed } from "./signin.js";
import { conn, ensureDm, ensureRoom, isMe, roomConv, saveLayout, state } from "./state.js";
import { storage } from "./storage.js";
import { nameKey } from "./text.js";
import { applyDeleted, applyEdited, applyReaction } from "./changes.js";
import { directoryPushed, pruneDirectory } from "./directory.js";
import { renderNotifyOffer } from "./notify.js";
import { applyJoined, applyRead, applyWelcomeUnread, placeLine } from "./reading.js";
import { applyMode, applyRoles } from "./roles.js";
import { applyTopic } from "./topic.js";
import { lineIntoView } from "./timeline.js";

export function handleFrame(frame) {
  const handler = handlers[frame.type];
  if (handler) handler(frame);
}

const handlers = {
  welcome(f) {
    const fresh = !state.me || nameKey(f.user) !== state.me.key;
    const byPassword = state.credentials !== null;
    state.signingIn = false;
    state.credentials = null;
    state.kicked = false;
    state.token = f.token;
    storage.set("token", f.token);
    state.me = { name: f.user, key: nameKey(f.user), role: typeof f.role === "string" ? f.role : "user" };
    state.server = { name: f.server?.name ?? "chatd", welcome: f.server?.welcome ?? "", version: f.server?.version ?? "" };
    storage.set("server", state.server); // lets the sign-in screen show the server's welcome next time
    if (f.limits) state.limits = { ...state.limits, ...f.limits };
    conn.authed = true;
    conn.attempt = 0;
    clearInterval(conn.countdownTimer);
    setStatus("online");
    startKeepalive();
    for (const name of f.rooms ?? []) if (!state.directory.has(name)) state.directory.set(name, null);
    state.myRooms = new Set(f.rooms ?? []);

    clearNotices(["restart", "shutdown"]); // they are over now
    showMotd(f.motd ?? "");
    showApp();
    if (f.created === true) {
      addNotice("welcome", `Your account “${f.user}” was created. Welcome to ${state.server.name}!`);
    } else if (byPassword) {
      toast(`Signed in as ${f.user}.`, "info");
    }

    // The rooms the user belongs to (and the badges) come with `welcome` on every device.
    applyWelcomeUnread(f.unread);
    if (fresh || state.convs.size === 0) restoreLayout(f.rooms ?? []);
    renderNotifyOffer();
    // Conversations the server lists (when it does) show on every device, not only where they started.
    for (const c of Array.isArray(f.conversations) ? f.conversations : []) if (typeof c?.with === "string") ensureDm(c.with);
    resume();
    send({ type: "rooms" });
    conn.roomsTimer = setInterval(() => send({ type: "rooms" }), ROOMS_REFRESH_MS);
    render.all();
  },

  joined(f) {
    const conv = ensureRoom(f.room);
    const since = conv.joining === "since";
    conv.joined = true;
    conv.joining = false;
    conv.members = new Map(f.members.map((m) => [nameKey(m), m]));
    state.directory.set(conv.target, conv.members.size);
    const history = Array.isArray(f.history) ? f.history : [];
    if (since && f.recovered === false) {
      // More was missed than the server keeps: start over from what it has, and say so.
      replaceItems(conv, history);
      conv.gap = { beforeId: history[0]?.id ?? null };
      conv.complete = false;
    } else {
      for (const m of history) addItem(conv, m, false);
      if (!since) conv.complete = history.length < state.limits.historyOnJoin;
    }
    conv.loaded = true;
    conv.topic = typeof f.topic === "string" ? f.topic : "";
    applyRoles(conv, f);
    const line = applyJoined(conv, f);
    settlePending(conv);
    if (state.active === null) activate(conv.key);
    saveLayout();
    render.all();
    if (line) lineIntoView();
    continueJump(conv);
    answer(f);
  },

  left(f) {
    const conv = roomConv(f.room);
    if (conv) removeConversation(conv);
    state.myRooms.delete(nameKey(f.room));
    send({ type: "rooms" });
  },

  presence(f) {
    const conv = roomConv(f.room);
    if (!conv) return;
    if (f.event === "join") conv.members.set(nameKey(f.user), f.user);
    else {
      conv.members.delete(nameKey(f.user));
      conv.typing.delete(f.user);
    }
    state.directory.set(conv.target, conv.members.size);
    render.sidebar();
    if (conv.key === state.active) {
      render.members();
      render.header();
      render.typing();
    }
  },

  message(f) {
    const conv = roomConv(f.room);
    if (!conv || !conv.joined) return;
    if (addItem(conv, f, true)) render.conversation(conv);
  },

  dm(f) {
    const other = isMe(f.from) ? f.to : f.from;
    const known = state.convs.has("@" + nameKey(other));
    const conv = ensureDm(other);
    if (!isMe(other)) conv.name = other; // the server's spelling of their name
    if (!known) {
      // A new conversation started by someone else: fetch what came before this message.
      requestDmHistory(conv, "initial");
      saveLayout();
    }
    if (addItem(conv, f, true)) render.conversation(conv);
    render.sidebar();
  },

  dm_history(f) {
    const conv = state.convs.get("@" + nameKey(f.with));
    if (!conv || conv.requests.length === 0) {
      answer(f); // a user lookup from the "Message a user" dialog
      return;
    }
    const kind = conv.requests.shift() ?? "initial";
    const messages = Array.isArray(f.messages) ? f.messages : [];
    if (kind === "since" && f.complete === false) {
      replaceItems(conv, messages);
      conv.gap = { beforeId: messages[0]?.id ?? null };
    } else {
      for (const m of messages) addItem(conv, m, false);
      if (kind !== "since") conv.complete = f.complete === true;
    }
    const other = messages.find((m) => !isMe(m.from))?.from;
    if (other) conv.name = other;
    conv.loaded = true;
    if (kind === "before") conv.loadingOlder = false;
    if (kind !== "before") settlePending(conv);
    if (kind === "initial" && conv.key === state.active && conv.lineAfter === undefined) placeLine(conv);
    render.conversation(conv, kind === "before" ? "prepend" : undefined);
    render.sidebar();
    continueJump(conv);
  },

  history(f) {
    const conv = roomConv(f.room);
    if (!conv) return;
    for (const m of f.messages ?? []) addItem(conv, m, false);
    conv.complete = f.complete === true;
    conv.loadingOlder = false;
    render.conversation(conv, "prepend");
    continueJump(conv);
  },

  ack(f) {
    if (answer(f)) return;
    const pending = state.pendingByRef.get(String(f.ref));
    if (!pending) return; // already matched to its `message`
    const conv = state.convs.get(pending.conv);
    forgetPending(pending);
    if (conv && !conv.ids.has(f.id)) {
      const item = { id: f.id, ts: f.ts, from: state.me.name, text: pending.text, fromAck: true };
      if (pending.replyTo) item.replyTo = pending.replyTo;
      if (conv.kind === "room") item.room = conv.target;
      else item.to = conv.name;
      insertItem(conv, item);
    }
    if (conv) render.conversation(conv);
  },

  error(f) {
    if (answer(f)) return;
    const pending = f.ref !== undefined ? state.pendingByRef.get(String(f.ref)) : undefined;
    if (pending) {
      pending.state = "failed";
      pending.error = errorText(f.code, f.message);
      const conv = state.convs.get(pending.conv);
      if (conv) render.conversation(conv);
      toast(pending.error, "error", f.code);
      return;
    }
    if (!conn.authed) {
      // Sent just before the server closes a socket that stayed signed out too long (the
      // auth timeout): not an answer to anything; connection.js reconnects quietly.
      if (f.code === "not_authenticated") return;
      return signinFailed(f);
    }
    toast(errorText(f.code, f.message), "error", f.code);
  },

  results(f) {
    answer(f); // the search dialog's request (search.js)
  },

  moderated(f) {
    if (!answer(f)) toast(`Done: ${f.action} ${f.user}.`, "info");
  },

  rooms(f) {
    for (const room of f.rooms ?? []) {
      state.directory.set(room.name, room.members);
      const conv = roomConv(room.name);
      if (conv) conv.topic = typeof room.topic === "string" ? room.topic : "";
    }
    if (f.ref === undefined) pruneDirectory(f);
    // An answer goes to the "Browse rooms" list that asked; an unasked one is the live directory.
    if (f.ref === undefined || !answer(f)) directoryPushed(f);
    render.sidebar();
    render.header();
  },

  edited: applyEdited,
  deleted: applyDeleted,
  reaction: applyReaction,
  read: applyRead,
  topic: applyTopic,
  mode: applyMode,

  password_changed(f) {
    answer(f);
  },

  typing(f) {
    const conv = roomConv(f.room);
    if (!conv || isMe(f.user)) return;
    conv.typing.set(f.user, Date.now() + TYPING_SHOW_MS);
    if (conv.key === state.active) render.typing();
    setTimeout(() => conv.key === state.active && render.typing(), TYPING_SHOW_MS + 50);
  },

  notice(f) {
    if (f.kind === "motd") showMotd(f.text, true);
    else addNotice(f.kind, f.text, f.ts);
    if (f.kind === "kick" || f.kind === "ban") state.kicked = true;
    announce(`Server notice: ${f.text}`);
  },

  pong() {
    // Liveness only: any frame resets the keepalive clock.
  },
};
