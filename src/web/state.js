// The page's state: who is signed in, the conversations, and the connection.
// Modules change it and then ask render.js to redraw the regions concerned.
import { storage } from "./storage.js";
import { nameKey } from "./text.js";

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
    unread: 0, // messages by others after the read marker (the badge)
    mentions: 0, // of those, the ones that mention us
    lastRead: null, // the read marker: id of the last message read (rooms: from `joined`; all: `read`)
    lineAfter: undefined, // the "new messages" line goes after this id ("" : before all); undefined: none
    topic: "",
    // Issue 21: the room's operators and voiced members (user keys), whether its topic is locked,
    // and whether it is secret (left out of the directory for non-members).
    operators: new Set(),
    voiced: new Set(),
    topicLock: false,
    secret: false,
    draft: "",
  };
}

export const state = {
  token: storage.get("token"),
  me: null, // { name, key, role }
  server: storage.get("server") ?? { name: "chatd", welcome: "", version: "" },
  limits: { maxTextLength: 4000, historyOnJoin: 50 },
  convs: new Map(), // conversation key -> conversation
  active: null, // key of the conversation on screen
  directory: new Map(), // room name -> members online (from `rooms`)
  myRooms: new Set(), // the rooms the user belongs to (`welcome.rooms`, less the ones left since)
  pendingByRef: new Map(), // ref -> pending message
  nextRef: 1,
  signingIn: false, // a password `hello` is in flight
  credentials: null, // { user, password } until `welcome` or an error
  kicked: false,
  compose: null, // { mode: "reply" | "edit", conv, id }: what the composer's next send does
  unreadAtWelcome: new Map(), // conversation key -> { count, mentions } from `welcome.unread`
};

export const conn = {
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

export function activeConv() {
  return state.convs.get(state.active);
}

export function roomConv(name) {
  return state.convs.get("#" + nameKey(name));
}

export function ensureRoom(name) {
  const key = nameKey(name);
  let conv = state.convs.get("#" + key);
  if (!conv) state.convs.set("#" + key, (conv = newConversation("room", key, key)));
  return conv;
}

export function ensureDm(name) {
  const key = nameKey(name);
  let conv = state.convs.get("@" + key);
  if (!conv) state.convs.set("@" + key, (conv = newConversation("dm", key, name)));
  return conv;
}

export function isMe(name) {
  return state.me !== null && nameKey(name) === state.me.key;
}

/** Operators of the room (and moderators and admins, who act as operators everywhere) may lock its topic, make it secret and grant roles (issue 21). */
export function isRoomOperator(conv) {
  return canModerate() || (state.me !== null && conv.operators.has(state.me.key));
}

/** Moderators and admins get kick and mute in the member and message menus (`welcome.role`). */
export function canModerate() {
  return state.me?.role === "moderator" || state.me?.role === "admin";
}

export function isOnline(userKey) {
  for (const conv of state.convs.values()) if (conv.kind === "room" && conv.members.has(userKey)) return true;
  return false;
}

/** Whether we have seen this user: a conversation, a member of a room we are in, or an author. */
export function knownUser(name) {
  const key = nameKey(name);
  if (state.convs.has("@" + key) || isOnline(key)) return true;
  for (const conv of state.convs.values()) if (conv.items.some((m) => nameKey(m.from) === key)) return true;
  return false;
}

export function lastId(conv) {
  return conv.items.at(-1)?.id;
}

export function newRef(prefix = "m") {
  return `${prefix}${state.nextRef++}`;
}

// Per-user layout survives reloads: which rooms and DMs were open, and which was on screen.
export function saveLayout() {
  if (!state.me) return;
  const convs = [...state.convs.values()];
  storage.set(`layout:${state.me.key}`, {
    rooms: convs.filter((c) => c.kind === "room").map((c) => c.target),
    dms: convs.filter((c) => c.kind === "dm").map((c) => ({ key: c.target, name: c.name })),
    active: state.active,
  });
}
