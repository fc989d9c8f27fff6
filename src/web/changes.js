// Changes to messages already shown: edits, deletes and reactions (the
// `edited`, `deleted` and `reaction` frames), the requests that make them, and
// the message-menu entries that start them (Reply, React, Edit, Delete).
import { $, toast } from "./dom.js";
import { dialogError, openDialog, setBusy } from "./dialogs.js";
import { errorText } from "./errors.js";
import { startEdit, startReply, cancelCompose } from "./compose.js";
import { addMessageAction } from "./menus.js";
import { findItem } from "./message-view.js";
import { openPicker } from "./reactions.js";
import { render } from "./render.js";
import { request } from "./requests.js";
import { canModerate, isMe, roomConv, state } from "./state.js";
import { nameKey } from "./text.js";
import { recount } from "./reading.js";

/** The conversation a change frame is about: its room, or the conversation of its `from`/`to`. */
function convOf(f) {
  if (typeof f.room === "string") return roomConv(f.room);
  const other = isMe(f.from) ? f.to : f.from;
  return typeof other === "string" ? state.convs.get("@" + nameKey(other)) : undefined;
}

/** Applies `change(item)` to the message a frame names, and redraws it (its row key holds the version). */
function change(f, apply) {
  const conv = convOf(f);
  const item = findItem(conv, f.id);
  if (!conv || !item) return;
  apply(item);
  item.v = (item.v ?? 0) + 1;
  render.conversation(conv);
}

export function applyEdited(f) {
  change(f, (item) => {
    item.text = f.text;
    item.editedAt = f.editedAt;
    if (Array.isArray(f.mentions)) item.mentions = f.mentions;
    else delete item.mentions;
  });
}

export function applyDeleted(f) {
  change(f, (item) => {
    item.deleted = true;
    for (const field of ["text", "replyTo", "mentions", "reactions", "files", "editedAt"]) delete item[field];
    if (state.compose?.id === f.id) cancelCompose();
  });
  const conv = convOf(f);
  if (conv) recount(conv);
}

export function applyReaction(f) {
  change(f, (item) => {
    const reactions = { ...(item.reactions ?? {}) };
    const users = (reactions[f.emoji] ?? []).filter((u) => nameKey(u) !== nameKey(f.user));
    if (f.on) users.push(f.user);
    if (users.length) reactions[f.emoji] = users;
    else delete reactions[f.emoji];
    item.reactions = reactions;
  });
}

/**
 * Sends a request about a message; an error becomes a toast (`texts` words a code the
 * request means differently, e.g. too_large). `done(frame)` gets the answer.
 */
function changeRequest(frame, done, texts = {}) {
  request(frame, (f) => {
    if (f.type === "error") toast(texts[f.code] ?? errorText(f.code, f.message), "error", f.code);
    done?.(f);
  });
}

export function sendEdit(id, text, done) {
  changeRequest({ type: "edit", id, text }, done);
}

export function toggleReaction(id, emoji) {
  // too_large on a reaction is the 21st different one on the message (docs/protocol.md).
  changeRequest({ type: "react", id, emoji }, undefined, { too_large: "A message can have at most 20 different reactions." });
}

/** Delete, after the confirmation dialog says yes. */
let deleting = null; // id of the message the dialog is about

export function confirmDelete(message) {
  deleting = message.id;
  const mine = isMe(message.from);
  $("confirm-text").textContent = mine
    ? "Delete this message for everyone? This cannot be undone."
    : `Delete this message from ${message.from} for everyone? This cannot be undone.`;
  openDialog("confirm-dialog", "confirm-cancel");
}

export function submitDelete(event) {
  event.preventDefault();
  const dialog = $("confirm-dialog");
  if (!deleting) return dialog.close();
  setBusy(dialog, true, "Deleting…");
  request({ type: "delete", id: deleting }, (f) => {
    setBusy(dialog, false);
    if (f.type === "error") return dialogError(dialog, errorText(f.code, f.message), f.code);
    deleting = null;
    dialog.close();
  });
}

/** The message menu's entries for replying, reacting, editing and deleting. */
export function installMessageActions() {
  addMessageAction(({ message, conv }) => {
    if (message.deleted || !conv) return [];
    const mine = isMe(message.from);
    const items = [
      { id: "reply", label: "Reply", run: () => startReply(conv, message.id) },
      { id: "react", label: "Add reaction…", run: () => openPicker(conv, message.id) },
    ];
    if (mine) items.push({ id: "edit", label: "Edit", run: () => startEdit(conv, message.id) });
    if (mine || (conv.kind === "room" && canModerate())) items.push({ id: "delete", label: "Delete…", danger: true, run: () => confirmDelete(message) });
    return items;
  });
}
