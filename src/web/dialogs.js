// Dialogs: join or create a room, message a user. Their errors show inside the
// dialog (a toast would sit under the modal's backdrop), and a dialog closes only
// once the server has said yes.
import { $ } from "./dom.js";
import { joinRoom, openDm } from "./conversations.js";
import { closeDrawers } from "./drawers.js";
import { errorText, tooFastText } from "./errors.js";
import { request, lookUpUser } from "./requests.js";
import { conn, isMe, knownUser } from "./state.js";
import { validName } from "./text.js";

/** Opens a modal dialog with its fields and error cleared; focus goes to `focusId`. */
export function openDialog(id, focusId) {
  closeDrawers();
  const dialog = $(id);
  for (const field of dialog.querySelectorAll("input, textarea")) field.value = "";
  for (const extra of dialog.querySelectorAll("[data-reveal]")) extra.hidden = true;
  dialogError(dialog, null);
  setBusy(dialog, false);
  dialog.showModal(); // native modal: traps focus, Esc closes it
  $(focusId).focus();
}

/** Shows `text` (or nothing) in the dialog's error line. */
export function dialogError(dialog, text, code = "") {
  const node = dialog.querySelector(".form-error");
  node.textContent = text ?? "";
  node.dataset.code = code;
  node.hidden = !text;
}

/** While a request is out the submit button waits, so one click sends one request. */
export function setBusy(dialog, busy, text = "") {
  dialog.querySelector("[type=submit]").disabled = busy;
  const status = dialog.querySelector(".dialog-status");
  if (status) status.textContent = busy ? text : "";
}

export function submitJoin(event) {
  event.preventDefault();
  const dialog = $("join-dialog");
  const name = $("join-name").value.trim().replace(/^#/, "");
  if (!validName(name)) return dialogError(dialog, errorText("bad_name"), "bad_name");
  dialogError(dialog, null);
  setBusy(dialog, true, "Joining…");
  joinRoom(name, (refused) => {
    setBusy(dialog, false);
    if (!refused) dialog.close();
    else dialogError(dialog, joinErrorText(refused), refused.code);
  });
}

/** A join (or room creation) over its rate limit says so and for how long: the hourly room allowance can be a long wait. */
function joinErrorText(f) {
  return f.code === "rate_limited" ? tooFastText("joining or creating rooms", f) : errorText(f.code, f.message);
}

/**
 * "Message a user": a name we have seen opens at once. Otherwise the dialog asks
 * the server (`dm_history`): a conversation there proves the user exists; with
 * none, the dialog asks for a first message and sends it itself, so a name with
 * no account is refused here (`unknown_user`) and never becomes a conversation.
 */
export function submitDm(event) {
  event.preventDefault();
  const dialog = $("dm-dialog");
  const name = $("dm-name").value.trim().replace(/^@/, "");
  const first = $("dm-first");
  const text = $("dm-text").value;
  if (!validName(name)) return dialogError(dialog, errorText("bad_name"), "bad_name");
  dialogError(dialog, null);
  if (knownUser(name) || isMe(name)) {
    openDm(name);
    dialog.close();
    return;
  }
  if (!conn.authed) return dialogError(dialog, errorText("offline"), "offline");
  if (!first.hidden && text.trim() !== "") {
    setBusy(dialog, true, "Sending…");
    request({ type: "dm", to: name, text }, (f) => {
      setBusy(dialog, false);
      if (f.type !== "ack") return dialogError(dialog, dmErrorText(f, name), f.code);
      openDm(name); // its history request brings the message just sent
      dialog.close();
    });
    return;
  }
  setBusy(dialog, true, "Looking up…");
  lookUpUser(name, (f) => {
    setBusy(dialog, false);
    if (f.type === "error") return dialogError(dialog, dmErrorText(f, name), f.code);
    const other = f.messages?.map((m) => (isMe(m.from) ? m.to : m.from)).find(Boolean);
    if (other) {
      openDm(other);
      dialog.close();
      return;
    }
    // No conversation yet: the name is checked when the first message is delivered.
    first.hidden = false;
    $("dm-first-hint").textContent = `No conversation with ${name} yet. Write your first message; it goes out only if ${name} has an account.`;
    $("dm-submit").textContent = "Send";
    $("dm-text").focus();
  });
}

function dmErrorText(f, name) {
  return f.code === "unknown_user" ? `There is no user named “${name}”.` : errorText(f.code, f.message);
}

/** Editing the name again starts over: the first-message step belongs to the name checked. */
export function onDmNameInput() {
  $("dm-first").hidden = true;
  $("dm-submit").textContent = "Open";
  dialogError($("dm-dialog"), null);
}
