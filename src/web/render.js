// Rendering: each function redraws one region of the page from the state.
import { $, el } from "./dom.js";
import { hasRoomActions } from "./menus.js";
import { renderNotices } from "./notices.js";
import { conn, isMe, isOnline, isRoomOperator, state } from "./state.js";
import { nameKey } from "./text.js";
import { renderTimeline } from "./timeline.js";
import { scheduleRead } from "./reading.js";

/** How many characters the draft has left (negative: over the server's limit). */
export function charactersLeft() {
  return state.limits.maxTextLength - $("composer-input").value.length;
}

export const render = {
  all(scroll) {
    render.sidebar();
    render.header();
    renderNotices();
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

  timeline(scroll) {
    renderTimeline(state.convs.get(state.active), scroll);
    scheduleRead(); // the reader may now see the newest message
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
    $("server-version").textContent = state.server.version ? `${state.server.name} ${state.server.version}` : "";

    // Rooms: the ones we are in first, then the rest the server lists.
    const rooms = [];
    for (const conv of state.convs.values()) if (conv.kind === "room") rooms.push(conv.target);
    const others = [...state.directory.keys()].filter((r) => !state.convs.has("#" + r));
    $("room-list").replaceChildren(...[...rooms, ...others].map(roomItem));

    const dms = [];
    for (const conv of state.convs.values()) if (conv.kind === "dm") dms.push(dmItem(conv));
    if (dms.length === 0) dms.push(el("li", { class: "conv-empty" }, "Click a name to start a conversation."));
    $("dm-list").replaceChildren(...dms);
  },

  header() {
    const conv = state.convs.get(state.active);
    const title = $("conv-title");
    const sub = $("conv-sub");
    $("leave").hidden = !conv;
    $("members-toggle").hidden = !conv || conv.kind !== "room";
    $("room-menu").hidden = !hasRoomActions(conv);
    title.dataset.conv = conv ? conv.key : "";
    title.dataset.joined = String(Boolean(conv && conv.joined));
    const room = Boolean(conv && conv.kind === "room");
    $("conv-topic-line").hidden = !room;
    if (room) {
      $("conv-topic").textContent = conv.topic || "No topic";
      $("conv-topic").title = conv.topic; // the whole of it, when the line cuts it
      $("conv-topic").classList.toggle("is-empty", !conv.topic);
      $("edit-topic").hidden = !conv.joined || (conv.topicLock && !isRoomOperator(conv));
      $("topic-lock").hidden = !conv.joined || !isRoomOperator(conv);
      $("topic-lock").textContent = conv.topicLock ? "Unlock topic" : "Lock topic";
      $("topic-locked").hidden = !conv.topicLock;
      $("room-secret").hidden = !conv.secret;
      $("edit-topic").textContent = conv.topic ? "Edit topic" : "Set a topic";
    }
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

  members() {
    const conv = state.convs.get(state.active);
    const room = conv && conv.kind === "room";
    const names = room ? [...conv.members.values()].sort((a, b) => nameKey(a).localeCompare(nameKey(b))) : [];
    $("member-list").replaceChildren(...names.map((name) => memberItem(name, room ? roleOf(conv, name) : "")));
    $("members-count").textContent = room ? `(${names.length})` : "";
    $("members").hidden = !room;
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
    input.disabled = !conv;
    if (conv) {
      const where = conv.kind === "room" ? `#${conv.name}` : conv.name;
      input.placeholder = conn.authed ? `Message ${where}` : `Message ${where} (sent when back online)`;
      $("composer-label").textContent = `Message ${where}`;
    } else {
      input.placeholder = "Join a room to chat";
    }
    // Over the limit, Send (and Enter) wait until the draft is short enough: the server would refuse it.
    const left = charactersLeft();
    $("composer-send").disabled = !conv || left < 0;
    const count = $("composer-count");
    count.textContent = left < 200 ? (left < 0 ? `${-left} characters over the limit` : `${left} characters left`) : "";
    count.classList.toggle("is-over", left < 0);
    input.setAttribute("aria-invalid", String(left < 0));
  },
};

function roomItem(name) {
  const conv = state.convs.get("#" + name);
  const count = conv?.joined ? conv.members.size : state.directory.get(name);
  const active = conv && conv.key === state.active;
  return el(
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
      typeof count === "number" ? el("span", { class: "conv-count", "data-testid": "room-members", title: `${count} online` }, String(count)) : null,
      mentionBadge(conv?.mentions),
      unreadBadge(conv?.unread),
    ),
  );
}

function dmItem(conv) {
  const active = conv.key === state.active;
  return el(
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
      el("span", { class: `presence-dot${isOnline(conv.target) ? " is-online" : ""}`, "aria-hidden": "true" }),
      el("span", { class: "conv-name" }, conv.name),
      mentionBadge(conv.mentions),
      unreadBadge(conv.unread),
    ),
  );
}

function mentionBadge(count) {
  return count ? el("span", { class: "badge badge-mention", "data-testid": "mention-badge", "aria-label": `${count} mentioning you` }, `@${count}`) : null;
}

function unreadBadge(count) {
  return count ? el("span", { class: "badge", "data-testid": "unread", "aria-label": `${count} unread` }, String(count)) : null;
}

/** A member: the name opens a direct conversation; "⋯" opens the member menu (menus.js). */
/** `@` for an operator of the room, `+` for a voiced member (issue 21), "" otherwise. */
function roleOf(conv, name) {
  return conv.operators.has(nameKey(name)) ? "@" : conv.voiced.has(nameKey(name)) ? "+" : "";
}

function memberItem(name, role) {
  const dot = el("span", { class: "presence-dot is-online", "aria-hidden": "true" });
  const badge = role ? el("span", { class: "member-role", "data-testid": "member-role", title: role === "@" ? "operator" : "voiced" }, role) : null;
  if (isMe(name)) {
    return el("li", { class: "member-row" }, el("span", { class: "member is-me", "data-testid": "member", "data-user": nameKey(name) }, dot, badge, name, el("span", { class: "you" }, " (you)")));
  }
  return el(
    "li",
    { class: "member-row" },
    el("button", { type: "button", class: "member", "data-testid": "member", "data-user": nameKey(name), "data-action": "dm", "data-name": name, title: `Message ${name}` }, dot, badge, name),
    el("button", { type: "button", class: "icon-btn row-menu", "data-testid": "member-menu", "data-action": "member-menu", "data-name": name, "aria-haspopup": "menu", "aria-label": `Actions for ${name}` }, "⋯"),
  );
}
