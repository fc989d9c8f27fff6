// A room's topic: shown under its name in the header; members edit it in a small
// dialog (`topic` frame). Every member, on every device, gets the new one.
// Issue 21: the room's operators (marked in the member list) may lock the topic
// (`mode` frame, `topicLock`); while it is locked only they may edit it.
import { $, announce } from "./dom.js";
import { dialogError, openDialog, setBusy } from "./dialogs.js";
import { errorText } from "./errors.js";
import { render } from "./render.js";
import { request } from "./requests.js";
import { setMode } from "./roles.js";
import { activeConv, isMe, isRoomOperator, roomConv, state } from "./state.js";

export const TOPIC_MAX = 300;
let editing = null; // room name the dialog sets the topic of

export function applyTopic(f) {
  const conv = roomConv(f.room);
  if (!conv) return;
  conv.topic = typeof f.text === "string" ? f.text : "";
  if (conv.key === state.active) {
    render.header();
    if (!isMe(f.by ?? "")) announce(conv.topic ? `${f.by} set the topic of #${conv.name}: ${conv.topic}` : `${f.by} cleared the topic of #${conv.name}`);
  }
  if (editing === conv.target && isMe(f.by ?? "")) {
    editing = null;
    setBusy($("topic-dialog"), false);
    if ($("topic-dialog").open) $("topic-dialog").close();
  }
}

/** The header's lock button: an operator turns the topic lock on or off. */
export function toggleTopicLock() {
  const conv = activeConv();
  if (!conv || conv.kind !== "room" || !isRoomOperator(conv)) return;
  setMode(conv, "topicLock", !conv.topicLock);
}

export function openTopicDialog() {
  const conv = activeConv();
  if (!conv || conv.kind !== "room") return;
  editing = conv.target;
  openDialog("topic-dialog", "topic-text");
  $("topic-room").textContent = `#${conv.name}`;
  $("topic-text").value = conv.topic;
  $("topic-text").select();
}

export function submitTopic(event) {
  event.preventDefault();
  const dialog = $("topic-dialog");
  const text = $("topic-text").value.trim();
  if ([...text].length > TOPIC_MAX) return dialogError(dialog, `A topic can have at most ${TOPIC_MAX} characters.`, "too_large");
  const conv = roomConv(editing ?? "");
  if (!conv) return dialog.close();
  if (text === conv.topic) return dialog.close();
  dialogError(dialog, null);
  setBusy(dialog, true, "Saving…");
  // The `ack` (or the `topic` frame, applyTopic) closes the dialog; an error shows here.
  request({ type: "topic", room: conv.target, text }, (f) => {
    setBusy(dialog, false);
    if (f.type === "error") return dialogError(dialog, topicErrorText(f, conv), f.code);
    editing = null;
    if (dialog.open) dialog.close();
  });
}

/** `forbidden` on a topic means the topic is locked (it may have been locked while the dialog was open). */
function topicErrorText(f, conv) {
  if (f.code !== "forbidden") return errorText(f.code, f.message);
  return `The topic of #${conv.name} is locked: only the room's operators (and moderators and admins) may change it.`;
}
