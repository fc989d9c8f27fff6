// Room roles and modes (issue 21) on the page: the `mode` frame both ways.
// An operator of the room (or a moderator or admin, who act as operators
// everywhere) grants and revokes operator and voice from a member's menu and
// makes the room secret (left out of the directory for non-members) from the
// room menu in the header; every member's page follows the live `mode` frames.
import { announce, toast } from "./dom.js";
import { errorText } from "./errors.js";
import { addMemberAction, addRoomAction } from "./menus.js";
import { render } from "./render.js";
import { request } from "./requests.js";
import { isMe, isRoomOperator, roomConv, state } from "./state.js";
import { nameKey } from "./text.js";

export function installRoleMenus() {
  addMemberAction(({ name, conv }) => roleItems(name, conv));
  addRoomAction((conv) => [
    conv.secret
      ? { id: "secret-off", label: "Make room public", run: () => setMode(conv, "secret", false) }
      : { id: "secret-on", label: "Make room secret", run: () => setMode(conv, "secret", true) },
  ]);
}

function roleItems(user, conv) {
  if (conv?.kind !== "room" || !conv.joined || !isRoomOperator(conv) || isMe(user)) return [];
  const key = nameKey(user);
  return [
    conv.operators.has(key)
      ? { id: "deop", label: `Remove ${user} as operator`, run: () => setMode(conv, "operator", false, user) }
      : { id: "op", label: `Make ${user} an operator`, run: () => setMode(conv, "operator", true, user) },
    conv.voiced.has(key)
      ? { id: "devoice", label: `Take voice from ${user}`, run: () => setMode(conv, "voice", false, user) }
      : { id: "voice", label: `Give ${user} voice`, run: () => setMode(conv, "voice", true, user) },
  ];
}

/** Sends `mode`; the live `mode` frame changes the page, the `ack` confirms, an error shows as a toast. */
export function setMode(conv, mode, on, user) {
  const frame = { type: "mode", room: conv.target, mode, on, ...(user ? { user } : {}) };
  request(frame, (f) => {
    if (f.type === "ack") {
      if (mode !== "topicLock") toast(describe(frame, `#${conv.name}`), "info", `mode-${mode}`);
      return;
    }
    const text = f.code === "forbidden" ? "Only the room's operators (and moderators and admins) may do that." : errorText(f.code, f.message);
    toast(text, "error", f.code);
  });
}

/** The roles and modes `joined` carries. */
export function applyRoles(conv, f) {
  conv.operators = new Set((Array.isArray(f.operators) ? f.operators : []).map(nameKey));
  conv.voiced = new Set((Array.isArray(f.voiced) ? f.voiced : []).map(nameKey));
  conv.topicLock = f.modes?.topicLock === true;
  conv.secret = f.modes?.secret === true;
}

/** A `mode` frame: a room's mode or a member's role changed. */
export function applyMode(f) {
  const conv = roomConv(f.room);
  if (!conv) return;
  if (f.mode === "topicLock") conv.topicLock = f.on === true;
  else if (f.mode === "secret") conv.secret = f.on === true;
  else if (f.mode === "operator" || f.mode === "voice") {
    const set = f.mode === "operator" ? conv.operators : conv.voiced;
    if (f.on) set.add(nameKey(f.user ?? ""));
    else set.delete(nameKey(f.user ?? ""));
  }
  if (conv.key === state.active) redraw();
  if (isMe(f.by ?? "")) return; // the sender's own toast (setMode) says it
  const what = `${f.by} ${describe(f, `#${conv.name}`, true)}`;
  // A change to one's own role is worth a toast on any room; the rest is only read out.
  if (isMe(f.user ?? "")) toast(what, "info", "mode-you");
  if (conv.key === state.active) announce(what);
}

function redraw() {
  render.header();
  render.members();
}

/** A change in words: "bob is now an operator of #den", or with `by`: "made bob an operator of #den". */
function describe(f, room, byline = false) {
  const user = isMe(f.user ?? "") && byline ? "you" : f.user;
  switch (f.mode) {
    case "operator":
      if (byline) return f.on ? `made ${user} an operator of ${room}` : `removed ${user} as operator of ${room}`;
      return f.on ? `${user} is now an operator of ${room}.` : `${user} is no longer an operator of ${room}.`;
    case "voice":
      if (byline) return f.on ? `gave ${user} voice in ${room}` : `took voice from ${user} in ${room}`;
      return f.on ? `${user} now has voice in ${room}.` : `${user} no longer has voice in ${room}.`;
    case "secret":
      if (byline) return f.on ? `made ${room} secret` : `made ${room} public`;
      return f.on ? `${room} is secret now: people not in it no longer find it in Browse.` : `${room} is public now: everyone finds it in Browse.`;
    default:
      return `${f.on ? "locked" : "unlocked"} the topic of ${room}`;
  }
}
