// chatd web client.
//
// Plain modern JavaScript: no framework, no build step, no external requests
// (the page is served with a strict CSP). It speaks the protocol in
// docs/protocol.md over one WebSocket.
//
// Safety rule for this file: text that came from the network or the user is
// only ever put into the page as text nodes (textContent, append(string)).
// Nothing here uses innerHTML, and links are built as <a> elements only for
// http(s) URLs that parse.
"use strict";

// ---------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------

const TYPING_SEND_EVERY_MS = 3000; // at most one `typing` frame per room per 3 s
const TYPING_SHOW_MS = 4000; // how long "x is typing" stays without a new frame
const BACKOFF_BASE_MS = 500; // first reconnect delay (before jitter)
const BACKOFF_MAX_MS = 30000; // reconnect delay cap
const RESTART_DELAY_MS = 400; // close code 1012: the server is coming straight back
const KEEPALIVE_MS = 20000; // ping interval; no answer by the next tick means the socket is dead
const ROOMS_REFRESH_MS = 30000; // refresh member counts of rooms we are not in
const PAGE_SIZE = 50; // messages per history page
const GROUP_GAP_MS = 5 * 60 * 1000; // a pause this long starts a new group
const TOAST_MS = 6000;
const MAX_NOTICES = 4;
const NAME_RULE = /^[\p{L}\p{N}][\p{L}\p{M}\p{N}_-]*$/u; // same rule as the server
const STORE = "chatd:v1:"; // localStorage key prefix

/** Human text for each stable error code of the protocol. */
const ERROR_TEXT = {
  auth_failed: "Wrong name or password.",
  bad_name: "That name is not allowed. Use 1–32 letters, digits, “_” or “-”, starting with a letter or digit.",
  bad_password: "Passwords for new accounts need at least 8 characters (and at most 72 bytes).",
  bad_frame: "The server did not understand that request.",
  unknown_type: "The server did not understand that request.",
  not_authenticated: "You are not signed in.",
  already_authenticated: "You are already signed in.",
  not_in_room: "You are not in that room. Join it first.",
  too_large: "That message is too long.",
  rate_limited: "You are sending messages too fast. Wait a moment, then retry.",
  too_many_rooms: "You are in too many rooms. Leave one first.",
  unknown_user: "There is no user with that name.",
  unavailable: "The server could not store that. It was not sent; try again.",
  internal: "Something went wrong on the server.",
};

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);

/** Builds an element. Children that are strings become text nodes (never HTML). */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== undefined && child !== null && child !== false) node.append(child);
  return node;
}

/** The server compares names NFKC + lower-cased; so do we, to match users and rooms. */
function nameKey(name) {
  return String(name).normalize("NFKC").toLowerCase().normalize("NFKC");
}

function validName(name) {
  const n = String(name).normalize("NFKC");
  const length = [...n].length;
  return length >= 1 && length <= 32 && NAME_RULE.test(n) && !/^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/.test(nameKey(n));
}

function errorText(code, fallback) {
  if (code === "too_large" && state.limits.maxTextLength) {
    return `That message is too long (at most ${state.limits.maxTextLength} characters).`;
  }
  return ERROR_TEXT[code] ?? fallback ?? `Error: ${code}`;
}

const storage = {
  get(key) {
    try {
      return JSON.parse(localStorage.getItem(STORE + key) ?? "null");
    } catch {
      return null;
    }
  },
  set(key, value) {
    try {
      if (value === null || value === undefined) localStorage.removeItem(STORE + key);
      else localStorage.setItem(STORE + key, JSON.stringify(value));
    } catch {
      // Storage full or disabled (private mode): the page still works, it just forgets.
    }
  },
};

// Times: local, short. Day separators say Today / Yesterday / a date.
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "medium" });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: "long", month: "long", day: "numeric", year: "numeric" });

function dayKey(ts) {
  const d = new Date(ts);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

function dayLabel(ts) {
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (dayKey(ts) === dayKey(today.getTime())) return "Today";
  if (dayKey(ts) === dayKey(yesterday.getTime())) return "Yesterday";
  return dayFormat.format(ts);
}

// Links: only http(s) URLs become <a>; everything else stays literal text.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;

function safeHttpUrl(text) {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** Trailing punctuation usually ends the sentence, not the URL (keeps a ")" that closes a "(" in it). */
function trimUrl(raw) {
  let url = raw;
  for (;;) {
    const last = url.at(-1);
    if (".,;:!?'\"]}".includes(last)) url = url.slice(0, -1);
    else if (last === ")" && (url.match(/\(/g) ?? []).length < (url.match(/\)/g) ?? []).length) url = url.slice(0, -1);
    else return url;
  }
}

function renderText(text) {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const raw = trimUrl(match[0]);
    const href = safeHttpUrl(raw);
    if (!href) continue;
    if (match.index > last) fragment.append(text.slice(last, match.index));
    fragment.append(el("a", { href, rel: "noopener noreferrer", target: "_blank" }, raw));
    last = match.index + raw.length;
  }
  if (last < text.length) fragment.append(text.slice(last));
  return fragment;
}

function mentionsMe(text) {
  if (!state.me) return false;
  const lower = nameKey(text);
  const me = state.me.key;
  let at = lower.indexOf(me);
  while (at !== -1) {
    const before = lower[at - 1];
    const after = lower[at + me.length];
    if (!isNameChar(before) && !isNameChar(after)) return true;
    at = lower.indexOf(me, at + 1);
  }
  return false;
}

function isNameChar(ch) {
  return ch !== undefined && /[\p{L}\p{M}\p{N}_-]/u.test(ch);
}

// ---------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------

/**
 * A conversation: a room (key "#name") or a direct message thread ("@userkey").
 * `items` are confirmed messages sorted by id; `pending` are our own messages
 * not confirmed yet (shown after them, in send order).
 */
function newConversation(kind, target, display) {
  return {
    key: (kind === "room" ? "#" : "@") + target,
    kind,
    target, // room name or user key: what goes into frames
    name: display, // what we show
    joined: kind === "dm", // rooms: true once `joined` arrived on this connection
    joining: false,
    items: [],
    ids: new Set(),
    pending: [],
    complete: false, // nothing older to page back to
    loaded: false, // some history has arrived
    loadingOlder: false,
    gap: null, // { beforeId } where "some messages may be missing" goes (null id: at the end)
    requests: [], // kinds of the dm_history requests in flight, answered in order
    members: new Map(), // user key -> display name (rooms)
    typing: new Map(), // display name -> time the indicator expires
    lastTypingSent: 0,
    unread: 0,
    draft: "",
  };
}

const state = {
  token: storage.get("token"),
  me: null, // { name, key }
  server: storage.get("server") ?? { name: "chatd", welcome: "", version: "" },
  motd: "",
  limits: { maxTextLength: 4000, historyOnJoin: 50 },
  convs: new Map(), // conversation key -> conversation
  active: null, // key of the conversation on screen
  directory: new Map(), // room name -> members online (from `rooms`)
  pendingByRef: new Map(), // ref -> pending message
  nextRef: 1,
  signingIn: false, // a password `hello` is in flight
  credentials: null, // { user, password } until `welcome` or an error
  kicked: false,
  notices: [],
};

const conn = {
  ws: null,
  generation: 0, // bumps on every new socket, so late events of an old one are ignored
  authed: false,
  status: "offline",
  attempt: 0, // reconnect attempts since the last welcome
  retryAt: 0,
  retryTimer: 0,
  countdownTimer: 0,
  keepaliveTimer: 0,
  roomsTimer: 0,
  lastFrameAt: 0,
};

function roomConv(name) {
  return state.convs.get("#" + nameKey(name));
}

function ensureRoom(name) {
  const key = nameKey(name);
  let conv = state.convs.get("#" + key);
  if (!conv) state.convs.set("#" + key, (conv = newConversation("room", key, key)));
  return conv;
}

function ensureDm(name) {
  const key = nameKey(name);
  let conv = state.convs.get("@" + key);
  if (!conv) state.convs.set("@" + key, (conv = newConversation("dm", key, name)));
  return conv;
}

function isMe(name) {
  return state.me !== null && nameKey(name) === state.me.key;
}

function lastId(conv) {
  return conv.items.at(-1)?.id;
}

// Per-user layout survives reloads: which rooms and DMs were open, and which was on screen.
function saveLayout() {
  if (!state.me) return;
  const convs = [...state.convs.values()];
  storage.set(`layout:${state.me.key}`, {
    rooms: convs.filter((c) => c.kind === "room").map((c) => c.target),
    dms: convs.filter((c) => c.kind === "dm").map((c) => ({ key: c.target, name: c.name })),
    active: state.active,
  });
}

// ---------------------------------------------------------------------------
// Connection: one socket, reconnect with exponential backoff and jitter
// ---------------------------------------------------------------------------

function wsUrl() {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
}

function connect() {
  clearTimeout(conn.retryTimer);
  clearInterval(conn.countdownTimer);
  dropSocket();
  const generation = ++conn.generation;
  let ws;
  try {
    ws = new WebSocket(wsUrl());
  } catch {
    onDisconnect(1006, "");
    return;
  }
  conn.ws = ws;
  setStatus("connecting");
  ws.addEventListener("open", () => {
    if (generation !== conn.generation) return;
    conn.lastFrameAt = Date.now();
    sendHello();
  });
  ws.addEventListener("message", (event) => {
    if (generation !== conn.generation) return;
    conn.lastFrameAt = Date.now();
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    if (frame && typeof frame.type === "string") handleFrame(frame);
  });
  ws.addEventListener("close", (event) => {
    if (generation !== conn.generation) return;
    onDisconnect(event.code, event.reason);
  });
}

/** Forgets the current socket; its late events are ignored from now on. */
function dropSocket() {
  const old = conn.ws;
  conn.generation++;
  conn.ws = null;
  conn.authed = false;
  clearInterval(conn.keepaliveTimer);
  clearInterval(conn.roomsTimer);
  if (old && old.readyState <= WebSocket.OPEN) {
    try {
      old.close(1000);
    } catch {
      // already closing
    }
  }
}

function send(frame) {
  if (!conn.ws || conn.ws.readyState !== WebSocket.OPEN) return false;
  conn.ws.send(JSON.stringify(frame));
  return true;
}

function sendHello() {
  if (state.credentials) send({ type: "hello", user: state.credentials.user, password: state.credentials.password });
  else if (state.token) send({ type: "hello", token: state.token });
}

function onDisconnect(code, reason) {
  conn.ws = null;
  conn.authed = false;
  clearInterval(conn.keepaliveTimer);
  clearInterval(conn.roomsTimer);
  conn.generation++;
  // Answers to requests of the old connection will never come.
  for (const conv of state.convs.values()) {
    conv.loadingOlder = false;
    conv.requests = [];
    conv.typing.clear();
    if (conv.kind === "room") {
      conv.joined = false;
      conv.joining = false;
    }
  }
  render.all();

  if (state.signingIn) {
    // A password sign-in that never got an answer.
    state.signingIn = false;
    state.credentials = null;
    showSigninError("Could not reach the server. Check your connection and try again.");
    setStatus("offline");
    return;
  }
  if (!state.token) {
    setStatus("offline");
    return;
  }
  if (code === 1000 && reason === "signed out") {
    signOutLocally("You were signed out.");
    return;
  }
  if (code === 4000 || state.kicked) {
    state.kicked = true;
    setStatus("offline", "disconnected by an operator");
    return;
  }
  scheduleReconnect(code === 1012);
}

function scheduleReconnect(serverRestarting) {
  clearTimeout(conn.retryTimer);
  clearInterval(conn.countdownTimer);
  if (!navigator.onLine) {
    // The 'online' event reconnects at once; no point in trying before.
    setStatus("offline", "no network");
    return;
  }
  const base = serverRestarting ? RESTART_DELAY_MS : Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** conn.attempt);
  const delay = Math.round(base / 2 + (Math.random() * base) / 2); // jitter: spread clients out
  conn.attempt++;
  conn.retryAt = Date.now() + delay;
  conn.retryTimer = setTimeout(connect, delay);
  conn.countdownTimer = setInterval(() => setStatus("reconnecting"), 1000);
  setStatus("reconnecting");
}

function reconnectNow() {
  state.kicked = false;
  if (state.token && !conn.ws) connect();
}

/** A socket can die without a close event (sleeping laptop, NAT): ping, and give up on silence. */
function startKeepalive() {
  clearInterval(conn.keepaliveTimer);
  let pingSentAt = 0;
  conn.keepaliveTimer = setInterval(() => {
    // Dead only if nothing at all arrived since the previous ping. Background tabs
    // run timers late, so the time between ticks alone proves nothing.
    if (pingSentAt > conn.lastFrameAt) {
      dropSocket();
      onDisconnect(4100, "keepalive timeout");
      return;
    }
    pingSentAt = Date.now();
    send({ type: "ping" });
  }, KEEPALIVE_MS);
}

function setStatus(status, detail) {
  const previous = conn.status;
  conn.status = status;
  if (previous !== status && state.me && (status === "online" || previous === "online")) announce(`Connection ${status}.`);
  const node = $("conn-status");
  let text = status;
  if (status === "reconnecting") {
    const seconds = Math.max(0, Math.ceil((conn.retryAt - Date.now()) / 1000));
    text = seconds > 0 ? `reconnecting in ${seconds}s` : "reconnecting";
  } else if (status === "connecting") {
    text = "connecting…";
  } else if (status === "offline" && detail) {
    text = `offline (${detail})`;
  }
  node.textContent = text;
  node.dataset.state = status;
  $("reconnect-now").hidden = !(state.token && (status === "reconnecting" || status === "offline"));
  render.composer();
}

// ---------------------------------------------------------------------------
// Incoming frames
// ---------------------------------------------------------------------------

function handleFrame(frame) {
  const handler = handlers[frame.type];
  if (handler) handler(frame);
}

const handlers = {
  welcome(f) {
    const fresh = !state.me || nameKey(f.user) !== state.me.key;
    const created = f.created === true;
    const byPassword = state.credentials !== null;
    state.signingIn = false;
    state.credentials = null;
    state.kicked = false;
    state.token = f.token;
    storage.set("token", f.token);
    state.me = { name: f.user, key: nameKey(f.user) };
    state.server = { name: f.server?.name ?? "chatd", welcome: f.server?.welcome ?? "", version: f.server?.version ?? "" };
    storage.set("server", state.server); // lets the sign-in screen show the server's welcome next time
    state.motd = f.motd ?? "";
    state.notices = state.notices.filter((n) => n.kind !== "restart" && n.kind !== "shutdown"); // they are over now
    if (f.limits) state.limits = { ...state.limits, ...f.limits };
    conn.authed = true;
    conn.attempt = 0;
    clearInterval(conn.countdownTimer);
    setStatus("online");
    startKeepalive();
    for (const name of f.rooms ?? []) if (!state.directory.has(name)) state.directory.set(name, null);

    showApp();
    if (created) {
      showWelcomeBanner(`Your account “${f.user}” was created. Welcome to ${state.server.name}!`);
    } else if (byPassword) {
      toast(`Signed in as ${f.user}.`, "info");
    }

    if (fresh || state.convs.size === 0) restoreLayout(f.rooms ?? []);
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
    settlePending(conv);
    if (state.active === null) activate(conv.key);
    saveLayout();
    render.all();
  },

  left(f) {
    const conv = roomConv(f.room);
    if (conv) removeConversation(conv);
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
    if (!conv) return;
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
    render.conversation(conv, kind === "before" ? "prepend" : undefined);
    render.sidebar();
  },

  history(f) {
    const conv = roomConv(f.room);
    if (!conv) return;
    for (const m of f.messages ?? []) addItem(conv, m, false);
    conv.complete = f.complete === true;
    conv.loadingOlder = false;
    render.conversation(conv, "prepend");
  },

  ack(f) {
    const pending = state.pendingByRef.get(String(f.ref));
    if (!pending) return; // already matched to its `message`
    const conv = state.convs.get(pending.conv);
    forgetPending(pending);
    if (conv && !conv.ids.has(f.id)) {
      const item = { id: f.id, ts: f.ts, from: state.me.name, text: pending.text };
      if (conv.kind === "room") item.room = conv.target;
      else item.to = conv.name;
      insertItem(conv, item);
    }
    if (conv) render.conversation(conv);
  },

  error(f) {
    const pending = f.ref !== undefined ? state.pendingByRef.get(String(f.ref)) : undefined;
    if (pending) {
      pending.state = "failed";
      pending.error = errorText(f.code, f.message);
      const conv = state.convs.get(pending.conv);
      if (conv) render.conversation(conv);
      toast(pending.error, "error", f.code);
      return;
    }
    if (!conn.authed) return signinFailed(f);
    toast(errorText(f.code, f.message), "error", f.code);
  },

  rooms(f) {
    for (const room of f.rooms ?? []) state.directory.set(room.name, room.members);
    render.sidebar();
  },

  typing(f) {
    const conv = roomConv(f.room);
    if (!conv || isMe(f.user)) return;
    conv.typing.set(f.user, Date.now() + TYPING_SHOW_MS);
    if (conv.key === state.active) render.typing();
    setTimeout(() => conv.key === state.active && render.typing(), TYPING_SHOW_MS + 50);
  },

  notice(f) {
    if (f.kind === "motd") {
      state.motd = f.text;
      $("motd").dataset.dismissed = "";
    }
    if (f.kind === "kick") state.kicked = true;
    addNotice(f.kind, f.text, f.ts);
    announce(`Server notice: ${f.text}`);
    render.banners();
  },

  pong() {
    // Liveness only: any frame resets the keepalive clock.
  },
};

/** After `welcome`: the first sign-in of this page joins the saved rooms (or the default room). */
function restoreLayout(defaultRooms) {
  const saved = state.me ? storage.get(`layout:${state.me.key}`) : null;
  const rooms = saved?.rooms?.length ? saved.rooms : defaultRooms.slice(0, 1);
  for (const room of rooms) ensureRoom(room);
  for (const dm of saved?.dms ?? []) ensureDm(dm.name ?? dm.key);
  const wanted = saved?.active && state.convs.has(saved.active) ? saved.active : null;
  const first = wanted ?? (rooms[0] ? "#" + nameKey(rooms[0]) : null);
  if (first) activate(first); // shows "Joining…" until `joined` arrives
}

/**
 * After every `welcome`: join each room again with `since` = the last message we
 * have, so the server sends exactly what we missed; catch DMs up the same way.
 */
function resume() {
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

function requestDmHistory(conv, kind) {
  const frame = { type: "dm_history", with: conv.target };
  if (kind === "since") frame.since = lastId(conv);
  else if (kind === "before") {
    frame.before = conv.items[0]?.id;
    frame.limit = PAGE_SIZE;
  } else frame.limit = PAGE_SIZE;
  if (send(frame)) conv.requests.push(kind);
}

// ---------------------------------------------------------------------------
// Timeline model: sorted by id, deduplicated by id, own messages pending until confirmed
// ---------------------------------------------------------------------------

/** Adds a confirmed message; false if we already had it. `live` = just happened. */
function addItem(conv, message, live) {
  if (!message || typeof message.id !== "string" || conv.ids.has(message.id)) return false;
  const mine = isMe(message.from);
  if (mine) {
    // Our own message may arrive before its `ack` (or, after a reconnect, in the
    // history instead of an ack): it confirms the oldest matching pending one.
    const pending = conv.pending.find((p) => p.sentOn > 0 && p.state === "pending" && p.text === message.text);
    if (pending) forgetPending(pending);
  }
  insertItem(conv, message);
  conv.typing.delete(message.from);
  if (live && !mine) {
    const visible = conv.key === state.active && !document.hidden;
    if (!visible) conv.unread++;
    if (conv.key === state.active || conv.kind === "dm") {
      const where = conv.kind === "room" ? ` in #${conv.name}` : " (direct message)";
      announce(`${message.from}${where}: ${message.text.slice(0, 200)}`);
    }
    render.sidebar();
    render.title();
  }
  return true;
}

function insertItem(conv, message) {
  const items = conv.items;
  // Binary search: history pages land at the front, live messages at the end.
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid].id < message.id) lo = mid + 1;
    else hi = mid;
  }
  items.splice(lo, 0, message);
  conv.ids.add(message.id);
}

function replaceItems(conv, messages) {
  conv.items = [];
  conv.ids = new Set();
  for (const m of messages) addItem(conv, m, false);
}

function forgetPending(pending) {
  state.pendingByRef.delete(pending.ref);
  const conv = state.convs.get(pending.conv);
  if (conv) conv.pending = conv.pending.filter((p) => p !== pending);
}

/**
 * Once a conversation is caught up after a (re)connect: our messages sent on an
 * old connection that did not show up were lost; messages written while offline
 * go out now.
 */
function settlePending(conv) {
  for (const pending of [...conv.pending]) {
    if (pending.state !== "pending") continue;
    if (pending.sentOn === 0) transmit(pending);
    else if (pending.sentOn !== conn.generation) {
      pending.state = "failed";
      pending.error = "Not sent: the connection dropped before the server confirmed it.";
    }
  }
}

function sendMessage(conv, text) {
  const pending = { ref: "", conv: conv.key, text, state: "pending", sentOn: 0, error: "", ts: Date.now() };
  conv.pending.push(pending);
  transmit(pending);
  render.conversation(conv, "bottom");
}

/** Sends a pending message now if we can; otherwise it waits for the (re)join. */
function transmit(pending) {
  const conv = state.convs.get(pending.conv);
  if (!conv) return;
  state.pendingByRef.delete(pending.ref);
  pending.ref = `m${state.nextRef++}`; // a new ref per attempt: a late answer to an old attempt is ignored
  state.pendingByRef.set(pending.ref, pending);
  pending.state = "pending";
  pending.error = "";
  pending.sentOn = 0;
  if (!conn.authed || (conv.kind === "room" && !conv.joined)) return;
  const frame =
    conv.kind === "room"
      ? { type: "say", room: conv.target, text: pending.text, ref: pending.ref }
      : { type: "dm", to: conv.target, text: pending.text, ref: pending.ref };
  if (send(frame)) pending.sentOn = conn.generation;
}

function requestOlder(conv) {
  if (conv.loadingOlder || conv.complete || !conn.authed) return;
  if (conv.kind === "room") {
    if (!conv.joined) return;
    const frame = { type: "history", room: conv.target, limit: PAGE_SIZE };
    if (conv.items[0]) frame.before = conv.items[0].id;
    if (!send(frame)) return;
  } else {
    if (!conv.items[0]) return;
    requestDmHistory(conv, "before");
  }
  conv.loadingOlder = true;
  render.conversation(conv);
}

// ---------------------------------------------------------------------------
// Conversations: open, switch, leave
// ---------------------------------------------------------------------------

function activate(key) {
  const previous = state.convs.get(state.active);
  const composer = $("composer-input");
  if (previous) previous.draft = composer.value;
  state.active = key;
  const conv = state.convs.get(key);
  if (conv) {
    conv.unread = 0;
    composer.value = conv.draft;
  }
  autosize();
  closeDrawers();
  saveLayout();
  render.all("bottom");
  if (conv && matchMedia("(pointer: fine)").matches) composer.focus();
}

function joinRoom(name) {
  const key = nameKey(name.trim().replace(/^#/, ""));
  if (!validName(key)) {
    toast(errorText("bad_name"), "error", "bad_name");
    return false;
  }
  const conv = ensureRoom(key);
  if (conv.joined) {
    activate(conv.key);
    return true;
  }
  if (conn.authed && !conv.joining) {
    conv.joining = "fresh";
    send({ type: "join", room: key });
  }
  activate(conv.key);
  return true;
}

function openDm(name) {
  const display = name.trim().replace(/^@/, "");
  if (!validName(display)) {
    toast(errorText("bad_name"), "error", "bad_name");
    return false;
  }
  const known = state.convs.has("@" + nameKey(display));
  const conv = ensureDm(display);
  if (!known && conn.authed) requestDmHistory(conv, "initial");
  activate(conv.key);
  return true;
}

function leaveActive() {
  const conv = state.convs.get(state.active);
  if (!conv) return;
  if (conv.kind === "room" && conn.authed && conv.joined) send({ type: "leave", room: conv.target });
  else removeConversation(conv);
}

function removeConversation(conv) {
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

// ---------------------------------------------------------------------------
// Sign in / sign out
// ---------------------------------------------------------------------------

function submitSignin(event) {
  event.preventDefault();
  const user = $("signin-name").value.trim();
  const password = $("signin-password").value;
  if (!user || !password) {
    showSigninError("Enter a name and a password.");
    return;
  }
  hideSigninError();
  state.credentials = { user, password };
  state.signingIn = true;
  $("signin-submit").disabled = true;
  $("signin-status").textContent = "Signing in…";
  // An open socket that is not signed in yet (e.g. after a wrong password) can be reused.
  if (conn.ws && conn.ws.readyState === WebSocket.OPEN && !conn.authed) sendHello();
  else connect();
}

function signinFailed(f) {
  const withToken = !state.credentials && state.token;
  state.signingIn = false;
  state.credentials = null;
  $("signin-submit").disabled = false;
  $("signin-status").textContent = "";
  if (withToken && ["auth_failed", "bad_frame", "bad_name"].includes(f.code)) {
    // The saved token expired, was revoked or is garbage: forget it, ask for the password.
    signOutLocally("Your session has ended. Please sign in again.");
    return;
  }
  if (withToken) {
    // The server could not check the token right now (storage trouble): try again later.
    toast(errorText(f.code, f.message), "error", f.code);
    dropSocket();
    onDisconnect(4101, "resume failed");
    return;
  }
  showSigninError(errorText(f.code, f.message), f.code);
  if (f.code === "auth_failed" || f.code === "bad_password") $("signin-password").select();
  else $("signin-name").select();
}

function signOut() {
  if (conn.authed) send({ type: "logout" }); // revokes the token server-side; the server then closes
  const socket = conn.ws;
  conn.generation++; // ignore that close
  conn.ws = null;
  if (socket) setTimeout(() => socket.readyState <= WebSocket.OPEN && socket.close(1000), 3000);
  if (state.me) storage.set(`layout:${state.me.key}`, null); // leave no trace of this user's conversations
  state.me = null;
  signOutLocally("You signed out.");
}

/** Forgets the token and everything of this user in memory, and shows the sign-in form. */
function signOutLocally(message) {
  if (state.me) saveLayout();
  storage.set("token", null);
  state.token = null;
  state.me = null;
  state.convs.clear();
  state.pendingByRef.clear();
  state.active = null;
  state.kicked = false;
  state.notices = [];
  clearTimeout(conn.retryTimer);
  clearInterval(conn.countdownTimer);
  dropSocket();
  setStatus("offline");
  showSignin();
  if (message) $("signin-status").textContent = message;
}

function showSignin() {
  $("app").hidden = true;
  $("signin-screen").hidden = false;
  $("signin-submit").disabled = false;
  $("signin-password").value = "";
  $("signin-title").textContent = state.server.name || "chatd";
  $("signin-welcome").textContent = state.server.welcome || "";
  $("signin-welcome").hidden = !state.server.welcome;
  document.title = state.server.name || "chatd";
  $("signin-name").focus();
}

function showApp() {
  $("signin-screen").hidden = true;
  $("signin-status").textContent = "";
  $("signin-password").value = "";
  $("app").hidden = false;
}

function showSigninError(text, code) {
  const node = $("signin-error");
  node.textContent = text;
  node.dataset.code = code ?? "";
  node.hidden = false;
  $("signin-submit").disabled = false;
  $("signin-status").textContent = "";
}

function hideSigninError() {
  $("signin-error").hidden = true;
  $("signin-error").textContent = "";
}

// ---------------------------------------------------------------------------
// Notices, toasts, announcements
// ---------------------------------------------------------------------------

function addNotice(kind, text, ts) {
  state.notices.push({ kind, text, ts: ts ?? Date.now(), id: Math.random() });
  state.notices = state.notices.slice(-MAX_NOTICES);
}

function showWelcomeBanner(text) {
  $("welcome-text").textContent = text;
  $("welcome-banner").hidden = false;
}

function toast(text, kind = "error", code = "") {
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
function announce(text) {
  const box = $("announcer");
  box.append(el("p", {}, text));
  while (box.children.length > 5) box.firstElementChild.remove();
}

// ---------------------------------------------------------------------------
// Rendering. Each function redraws one region from the state.
// ---------------------------------------------------------------------------

const render = {
  all(scroll) {
    render.sidebar();
    render.header();
    render.banners();
    render.members();
    render.timeline(scroll);
    render.typing();
    render.composer();
    render.title();
  },

  /** Redraw a conversation if it is the one on screen. */
  conversation(conv, scroll) {
    if (conv.key === state.active) {
      render.timeline(scroll);
      render.typing();
    }
    render.sidebar();
  },

  title() {
    let unread = 0;
    for (const c of state.convs.values()) unread += c.unread;
    const name = state.server.name || "chatd";
    const conv = state.convs.get(state.active);
    const where = conv ? `${conv.kind === "room" ? "#" : "@"}${conv.name} · ` : "";
    document.title = `${unread ? `(${unread}) ` : ""}${where}${name}`;
  },

  sidebar() {
    $("server-name").textContent = state.server.name || "chatd";
    $("me").textContent = state.me ? state.me.name : "";
    $("server-welcome").textContent = state.server.welcome || "";
    $("server-version").textContent = state.server.version ? `${state.server.name} ${state.server.version}` : "";

    // Rooms: the ones we are in first, then the rest the server lists.
    const rooms = [];
    for (const conv of state.convs.values()) if (conv.kind === "room") rooms.push(conv.target);
    const others = [...state.directory.keys()].filter((r) => !state.convs.has("#" + r));
    const list = [];
    for (const name of [...rooms, ...others]) {
      const conv = state.convs.get("#" + name);
      const count = conv?.joined ? conv.members.size : state.directory.get(name);
      const active = conv && conv.key === state.active;
      list.push(
        el(
          "li",
          {},
          el(
            "button",
            {
              type: "button",
              class: `conv-item${conv ? " is-joined" : ""}${active ? " is-active" : ""}${conv?.unread ? " has-unread" : ""}`,
              "data-testid": "room-item",
              "data-room": name,
              "data-joined": conv ? "true" : "false",
              "aria-current": active ? "page" : null,
              title: conv ? `Open #${name}` : `Join #${name}`,
            },
            el("span", { class: "conv-sigil", "aria-hidden": "true" }, "#"),
            el("span", { class: "conv-name" }, name),
            typeof count === "number"
              ? el("span", { class: "conv-count", "data-testid": "room-members", title: `${count} online` }, String(count))
              : null,
            conv?.unread
              ? el("span", { class: "badge", "data-testid": "unread", "aria-label": `${conv.unread} unread` }, String(conv.unread))
              : null,
          ),
        ),
      );
    }
    $("room-list").replaceChildren(...list);

    const dms = [];
    for (const conv of state.convs.values()) {
      if (conv.kind !== "dm") continue;
      const active = conv.key === state.active;
      const online = isOnline(conv.target);
      dms.push(
        el(
          "li",
          {},
          el(
            "button",
            {
              type: "button",
              class: `conv-item is-joined${active ? " is-active" : ""}${conv.unread ? " has-unread" : ""}`,
              "data-testid": "dm-item",
              "data-user": conv.target,
              "aria-current": active ? "page" : null,
            },
            el("span", { class: `presence-dot${online ? " is-online" : ""}`, "aria-hidden": "true" }),
            el("span", { class: "conv-name" }, conv.name),
            conv.unread ? el("span", { class: "badge", "data-testid": "unread", "aria-label": `${conv.unread} unread` }, String(conv.unread)) : null,
          ),
        ),
      );
    }
    if (dms.length === 0) dms.push(el("li", { class: "conv-empty" }, "Click a name to start a conversation."));
    $("dm-list").replaceChildren(...dms);
  },

  header() {
    const conv = state.convs.get(state.active);
    const title = $("conv-title");
    const sub = $("conv-sub");
    $("leave").hidden = !conv;
    $("members-toggle").hidden = !conv || conv.kind !== "room";
    title.dataset.conv = conv ? conv.key : "";
    title.dataset.joined = String(Boolean(conv && conv.joined));
    if (!conv) {
      title.textContent = "No conversation";
      sub.textContent = "";
      return;
    }
    title.textContent = (conv.kind === "room" ? "#" : "@") + conv.name;
    if (conv.kind === "room") {
      sub.textContent = conv.joined ? `${conv.members.size} online` : conv.joining ? "joining…" : "not joined";
      $("leave").textContent = "Leave";
      $("members-toggle").textContent = `Members (${conv.members.size})`;
    } else {
      sub.textContent = isOnline(conv.target) ? "direct message · online" : "direct message";
      $("leave").textContent = "Close";
    }
  },

  banners() {
    const motd = $("motd");
    $("motd-text").textContent = state.motd;
    motd.hidden = !state.motd || motd.dataset.dismissed === state.motd;
    const items = state.notices.map((n) =>
      el(
        "li",
        { class: `notice notice-${n.kind}`, "data-testid": "notice", "data-kind": n.kind },
        el("span", { class: "notice-kind" }, noticeLabel(n.kind)),
        el("span", { class: "notice-text" }, n.text),
        el("time", { datetime: new Date(n.ts).toISOString() }, timeFormat.format(n.ts)),
        el("button", { type: "button", class: "icon-btn", "aria-label": "Dismiss notice", "data-action": "dismiss-notice", "data-notice": n.id }, "×"),
      ),
    );
    $("notices").replaceChildren(...items);
  },

  members() {
    const conv = state.convs.get(state.active);
    const list = [];
    if (conv && conv.kind === "room") {
      const names = [...conv.members.values()].sort((a, b) => nameKey(a).localeCompare(nameKey(b)));
      for (const name of names) {
        const me = isMe(name);
        list.push(
          el(
            "li",
            {},
            me
              ? el("span", { class: "member is-me", "data-testid": "member", "data-user": nameKey(name) }, el("span", { class: "presence-dot is-online", "aria-hidden": "true" }), name, el("span", { class: "you" }, " (you)"))
              : el(
                  "button",
                  { type: "button", class: "member", "data-testid": "member", "data-user": nameKey(name), "data-action": "dm", "data-name": name, title: `Message ${name}` },
                  el("span", { class: "presence-dot is-online", "aria-hidden": "true" }),
                  name,
                ),
          ),
        );
      }
      $("members-count").textContent = `(${names.length})`;
    } else {
      $("members-count").textContent = "";
    }
    $("member-list").replaceChildren(...list);
    $("members").hidden = !conv || conv.kind !== "room";
  },

  timeline(scroll) {
    const box = $("timeline");
    const conv = state.convs.get(state.active);
    const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
    const fromBottom = box.scrollHeight - box.scrollTop;
    const before = box.dataset.conv;
    const newest = box.dataset.newest ?? "";
    if (before !== (conv ? conv.key : "")) box.replaceChildren(); // another conversation: start over
    patchRows(box, conv ? timelineRows(conv) : [{ key: "empty", build: emptyTimeline }]);
    box.dataset.conv = conv ? conv.key : "";
    box.dataset.newest = conv ? (conv.items.at(-1)?.id ?? "") : "";
    if (scroll === "prepend" && before === box.dataset.conv) {
      box.scrollTop = box.scrollHeight - fromBottom; // keep what the reader was looking at in place
    } else if (scroll === "bottom" || nearBottom || before !== box.dataset.conv) {
      box.scrollTop = box.scrollHeight;
      $("jump-latest").hidden = true;
    } else if (box.dataset.newest > newest) {
      $("jump-latest").hidden = false; // something new arrived below what the reader is looking at
    }
  },

  typing() {
    const conv = state.convs.get(state.active);
    const now = Date.now();
    const names = [];
    if (conv) {
      for (const [name, until] of conv.typing) {
        if (until > now) names.push(name);
        else conv.typing.delete(name);
      }
    }
    let text = "";
    if (names.length === 1) text = `${names[0]} is typing…`;
    else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
    else if (names.length > 2) text = "Several people are typing…";
    $("typing").textContent = text;
  },

  composer() {
    const conv = state.convs.get(state.active);
    const input = $("composer-input");
    const usable = Boolean(conv);
    input.disabled = !usable;
    $("composer-send").disabled = !usable;
    if (conv) {
      const where = conv.kind === "room" ? `#${conv.name}` : conv.name;
      input.placeholder = conn.authed ? `Message ${where}` : `Message ${where} (sent when back online)`;
      $("composer-label").textContent = `Message ${where}`;
    } else {
      input.placeholder = "Join a room to chat";
    }
    const left = state.limits.maxTextLength - input.value.length;
    $("composer-count").textContent = left < 200 ? ` · ${left} characters left` : "";
  },
};

function noticeLabel(kind) {
  return { broadcast: "Announcement", motd: "New message of the day", kick: "Disconnected", shutdown: "Server stopping", restart: "Server restarting" }[kind] ?? "Notice";
}

function isOnline(userKey) {
  for (const conv of state.convs.values()) if (conv.kind === "room" && conv.members.has(userKey)) return true;
  return false;
}

function emptyTimeline() {
  return el("div", { class: "tl-empty" }, el("p", {}, "Pick a room on the left, or join a new one with “+”."));
}

/**
 * The timeline of one conversation as a flat list of keyed rows: day separators,
 * author headers, messages, the gap marker, our pending messages. `key` names
 * what a row shows, so an unchanged row keeps its DOM node (and any text
 * selection in it) across redraws.
 */
function timelineRows(conv) {
  const rows = [];
  const add = (key, build) => rows.push({ key, build });
  const title = (conv.kind === "room" ? "#" : "@") + conv.name;

  if (conv.kind === "room" && !conv.joined && !conv.loaded) {
    const text = conn.authed ? "Joining…" : "Waiting for the connection…";
    add(`info:${text}`, () => el("p", { class: "tl-info" }, text));
  } else if (conv.complete) {
    add(`start:${title}`, () => el("p", { class: "tl-start", "data-testid": "timeline-start" }, `This is the beginning of ${title}.`));
  } else if (conv.items.length > 0) {
    const loading = conv.loadingOlder;
    add(`older:${loading}`, () =>
      el(
        "button",
        { type: "button", class: "load-older", "data-action": "load-older", "data-testid": "load-older", disabled: loading },
        loading ? "Loading older messages…" : "Load older messages",
      ),
    );
  }

  let previous = null; // { from, ts, day } of the row above, for grouping
  const place = (from, ts, key, build) => {
    const day = dayKey(ts);
    if (!previous || previous.day !== day) {
      const label = dayLabel(ts);
      add(`day:${day}:${label}`, () =>
        el("div", { class: "day-sep", role: "separator", "data-testid": "day-separator" }, el("span", {}, label)),
      );
      previous = null;
    }
    if (!previous || previous.from !== nameKey(from) || ts - previous.ts > GROUP_GAP_MS) {
      add(`head:${key}`, () => groupHead(from, ts));
    }
    add(key, build);
    previous = { from: nameKey(from), ts, day };
  };
  const gapMarker = (beforeId) => {
    add(`gap:${beforeId}`, () =>
      el("div", { class: "gap-marker", role: "note", "data-testid": "gap-marker" }, "Some messages may be missing here."),
    );
    previous = null;
  };

  for (const m of conv.items) {
    if (conv.gap && conv.gap.beforeId === m.id) gapMarker(m.id);
    place(m.from, m.ts, `msg:${m.id}`, () => messageNode(m));
  }
  if (conv.gap && conv.gap.beforeId === null) gapMarker("end");
  for (const p of conv.pending) {
    place(state.me?.name ?? "", p.ts, `pending:${p.ref}:${p.state}:${p.sentOn > 0}:${p.error}`, () => pendingNode(p));
  }

  if (conv.loaded && conv.items.length === 0 && conv.pending.length === 0) {
    const text = conv.kind === "room" ? "No messages yet. Say hello!" : `Start your conversation with ${conv.name}.`;
    add(`info:${text}`, () => el("p", { class: "tl-info" }, text));
  }
  return rows;
}

/** Makes the children of `box` match `rows`, reusing the nodes of rows whose key is unchanged. */
function patchRows(box, rows) {
  const existing = new Map();
  for (const child of box.children) existing.set(child.dataset.key, child);
  let cursor = box.firstElementChild;
  for (const row of rows) {
    let node = existing.get(row.key);
    if (node) existing.delete(row.key);
    else {
      node = row.build();
      node.dataset.key = row.key;
    }
    if (node === cursor) cursor = cursor.nextElementSibling;
    else box.insertBefore(node, cursor);
  }
  for (const node of existing.values()) node.remove();
}

function groupHead(from, ts) {
  const mine = isMe(from);
  const author = mine
    ? el("span", { class: "author is-me" }, from)
    : el("button", { type: "button", class: "author", "data-action": "dm", "data-name": from, title: `Message ${from}` }, from);
  return el(
    "div",
    { class: "group-head", "data-testid": "group-head", "data-from": nameKey(from) },
    author,
    el("time", { datetime: new Date(ts).toISOString(), title: fullFormat.format(ts) }, timeFormat.format(ts)),
  );
}

function messageNode(m) {
  const mention = !isMe(m.from) && mentionsMe(m.text);
  return el(
    "div",
    { class: `msg${mention ? " is-mention" : ""}`, "data-testid": "message", "data-id": m.id, "data-state": "sent", "data-from": nameKey(m.from) },
    el("time", { class: "msg-time", datetime: new Date(m.ts).toISOString(), title: fullFormat.format(m.ts) }, timeFormat.format(m.ts)),
    el("div", { class: "msg-text", "data-testid": "message-text" }, renderText(m.text)),
  );
}

function pendingNode(p) {
  const failed = p.state === "failed";
  return el(
    "div",
    { class: `msg is-${p.state}`, "data-testid": "message", "data-state": p.state, "data-ref": p.ref, "data-from": state.me?.key ?? "" },
    el("time", { class: "msg-time" }, timeFormat.format(p.ts)),
    el("div", { class: "msg-text", "data-testid": "message-text" }, renderText(p.text)),
    failed
      ? el(
          "div",
          { class: "msg-status", "data-testid": "message-status" },
          el("span", {}, p.error || "Not sent."),
          " ",
          el("button", { type: "button", class: "link-btn", "data-action": "retry", "data-ref": p.ref, "data-testid": "retry" }, "Retry"),
          " ",
          el("button", { type: "button", class: "link-btn", "data-action": "discard", "data-ref": p.ref }, "Discard"),
        )
      : el("div", { class: "msg-status", "data-testid": "message-status" }, p.sentOn ? "Sending…" : "Waiting for the connection…"),
  );
}

// ---------------------------------------------------------------------------
// User input
// ---------------------------------------------------------------------------

function submitComposer(event) {
  event?.preventDefault();
  const conv = state.convs.get(state.active);
  const input = $("composer-input");
  const text = input.value;
  if (!conv || text.trim() === "") return;
  if (text.length > state.limits.maxTextLength) {
    toast(errorText("too_large"), "error", "too_large");
    return;
  }
  input.value = "";
  conv.draft = "";
  conv.lastTypingSent = 0; // the message ends this typing spell; the next keystroke starts a new one
  autosize();
  sendMessage(conv, text);
  render.composer();
}

function onComposerKey(event) {
  // Enter sends; Shift+Enter is a new line; never interrupt an IME composition.
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
    event.preventDefault();
    submitComposer();
  }
}

function onComposerInput() {
  autosize();
  render.composer();
  const conv = state.convs.get(state.active);
  if (!conv || conv.kind !== "room" || !conv.joined || $("composer-input").value.trim() === "") return;
  const now = Date.now();
  if (now - conv.lastTypingSent >= TYPING_SEND_EVERY_MS) {
    conv.lastTypingSent = now;
    send({ type: "typing", room: conv.target });
  }
}

/** The textarea grows with its content up to a limit (CSSOM, allowed by the CSP). */
function autosize() {
  const input = $("composer-input");
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 200)}px`;
}

function onTimelineScroll() {
  const box = $("timeline");
  if (box.scrollHeight - box.scrollTop - box.clientHeight < 60) $("jump-latest").hidden = true;
  const conv = state.convs.get(state.active);
  if (conv && box.scrollTop < 80) requestOlder(conv);
}

/** One click handler for everything built dynamically (data-action / data-testid). */
function onClick(event) {
  const target = event.target.closest("button");
  if (!target) return;
  const action = target.dataset.action;
  if (target.dataset.testid === "room-item") {
    joinRoom(target.dataset.room);
  } else if (target.dataset.testid === "dm-item") {
    activate("@" + target.dataset.user);
  } else if (action === "dm") {
    openDm(target.dataset.name);
  } else if (action === "load-older") {
    const conv = state.convs.get(state.active);
    if (conv) requestOlder(conv);
  } else if (action === "retry" || action === "discard") {
    const pending = state.pendingByRef.get(target.dataset.ref);
    if (!pending) return;
    if (action === "retry") transmit(pending);
    else forgetPending(pending);
    const conv = state.convs.get(pending.conv);
    if (conv) render.conversation(conv);
  } else if (action === "dismiss-toast") {
    target.closest(".toast")?.remove();
  } else if (action === "dismiss-notice") {
    state.notices = state.notices.filter((n) => String(n.id) !== target.dataset.notice);
    render.banners();
  } else if (target.dataset.dismiss) {
    const banner = $(target.dataset.dismiss);
    banner.hidden = true;
    if (banner.id === "motd") banner.dataset.dismissed = state.motd;
  } else if (target.hasAttribute("data-close")) {
    target.closest("dialog")?.close();
  }
}

// Drawers: the sidebar (narrow screens) and the member list (medium and narrow).
function setDrawer(name, open) {
  const app = $("app");
  app.classList.toggle(`${name}-open`, open);
  if (name === "sidebar") $("sidebar-toggle").setAttribute("aria-expanded", String(open));
  if (name === "members") $("members-toggle").setAttribute("aria-expanded", String(open));
  $("scrim").hidden = !app.classList.contains("sidebar-open") && !app.classList.contains("members-open");
}

function closeDrawers() {
  setDrawer("sidebar", false);
  setDrawer("members", false);
}

/** Opens or closes a drawer from its toggle button; keyboard focus goes into it and back. */
function toggleDrawer(name) {
  const open = !$("app").classList.contains(`${name}-open`);
  setDrawer(name, open);
  if (open) $(name === "sidebar" ? "sidebar" : "members").querySelector("button")?.focus();
}

function closeDrawersFromKeyboard() {
  const app = $("app");
  const toggle = app.classList.contains("sidebar-open") ? "sidebar-toggle" : app.classList.contains("members-open") ? "members-toggle" : null;
  closeDrawers();
  if (toggle) $(toggle).focus();
}

function openDialog(id, inputId) {
  closeDrawers();
  const dialog = $(id);
  $(inputId).value = "";
  dialog.showModal(); // native modal: traps focus, Esc closes it
  $(inputId).focus();
}

function wireUp() {
  $("signin-form").addEventListener("submit", submitSignin);
  $("composer").addEventListener("submit", submitComposer);
  $("composer-input").addEventListener("keydown", onComposerKey);
  $("composer-input").addEventListener("input", onComposerInput);
  $("timeline").addEventListener("scroll", onTimelineScroll, { passive: true });
  $("signout").addEventListener("click", signOut);
  $("leave").addEventListener("click", leaveActive);
  $("reconnect-now").addEventListener("click", reconnectNow);
  $("jump-latest").addEventListener("click", () => {
    const box = $("timeline");
    box.scrollTop = box.scrollHeight;
    $("jump-latest").hidden = true;
  });
  $("sidebar-toggle").addEventListener("click", () => toggleDrawer("sidebar"));
  $("members-toggle").addEventListener("click", () => toggleDrawer("members"));
  $("scrim").addEventListener("click", closeDrawers);
  $("open-join").addEventListener("click", () => openDialog("join-dialog", "join-name"));
  $("open-dm").addEventListener("click", () => openDialog("dm-dialog", "dm-name"));
  $("join-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (joinRoom($("join-name").value)) $("join-dialog").close();
  });
  $("dm-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (openDm($("dm-name").value)) $("dm-dialog").close();
  });
  document.addEventListener("click", onClick);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !document.querySelector("dialog[open]")) closeDrawersFromKeyboard();
  });
  // Coming back to the tab clears the unread count of what is on screen.
  document.addEventListener("visibilitychange", () => {
    const conv = state.convs.get(state.active);
    if (!document.hidden && conv && conv.unread) {
      conv.unread = 0;
      render.sidebar();
      render.title();
    }
    if (!document.hidden && conn.status === "reconnecting") reconnectNow();
  });
  window.addEventListener("online", () => {
    if (state.token && !conn.ws && !state.kicked) connect();
  });
  window.addEventListener("offline", () => {
    if (conn.status === "reconnecting") scheduleReconnect(false);
  });
  // Signing out in another tab revokes the token: follow it here.
  window.addEventListener("storage", (event) => {
    if (event.key === STORE + "token" && event.newValue === null && state.token) signOutLocally("You signed out in another tab.");
  });
}

// ---------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------

function boot() {
  wireUp();
  if (state.token) {
    // Resume without asking for the password; the sign-in form comes back only if the token is refused.
    showApp();
    render.all();
    connect();
  } else {
    setStatus("offline");
    showSignin();
  }
}

boot();
