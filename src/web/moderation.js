// Moderation from the page: moderators and admins (welcome.role) get kick, mute
// and unmute in the member and message menus (the `kick`/`mute`/`unmute` frames).
// Bans are an admin API call (POST /admin/ban), with no frame to send: not offered here.
import { $, el, toast } from "./dom.js";
import { dialogError, openDialog, setBusy } from "./dialogs.js";
import { errorText } from "./errors.js";
import { openDm } from "./conversations.js";
import { addMemberAction, addMessageAction } from "./menus.js";
import { request } from "./requests.js";
import { MUTE_CHOICES } from "./settings.js";
import { canModerate, isMe } from "./state.js";
import { friendlyTime } from "./text.js";

let target = null; // { action, user, room } the moderation dialog is about

/** The menu entry every member and message gets: "Message …" (first in those menus). */
export function installDmActions() {
  addMemberAction(({ name }) => [{ id: "dm", label: `Message ${name}`, run: () => openDm(name) }]);
  addMessageAction(({ message }) => (isMe(message.from) ? [] : [{ id: "dm", label: `Message ${message.from}`, run: () => openDm(message.from) }]));
}

/** The moderators' entries: kick, mute, unmute (last in those menus). */
export function installModeration() {
  addMemberAction(({ name, conv }) => moderationItems(name, conv));
  addMessageAction(({ message, conv }) => moderationItems(message.from, conv));
}

function moderationItems(user, conv) {
  if (!canModerate() || isMe(user)) return [];
  const items = [{ id: "kick", label: `Kick ${user}…`, danger: true, run: () => openModeration("kick", user) }];
  if (conv?.kind === "room") {
    const room = conv.target;
    items.push(
      { id: "mute", label: `Mute ${user} in #${room}…`, danger: true, run: () => openModeration("mute", user, room) },
      { id: "unmute", label: `Unmute ${user} in #${room}`, run: () => unmute(user, room) },
    );
  }
  return items;
}

function openModeration(action, user, room) {
  target = { action, user, room };
  const kick = action === "kick";
  $("mod-title").textContent = kick ? `Kick ${user}` : `Mute ${user} in #${room}`;
  $("mod-what").textContent = kick
    ? `Every connection of ${user} is closed now; they can sign in again.`
    : `${user} cannot write in #${room} until the time is up.`;
  $("mod-reason-field").hidden = !kick;
  $("mod-minutes-field").hidden = kick;
  $("mod-minutes").replaceChildren(...MUTE_CHOICES.map((c) => el("option", { value: c.minutes }, c.label)));
  $("mod-submit").textContent = kick ? "Kick" : "Mute";
  openDialog("mod-dialog", kick ? "mod-reason" : "mod-minutes");
}

export function submitModeration(event) {
  event.preventDefault();
  const dialog = $("mod-dialog");
  if (!target) return dialog.close();
  const { action, user, room } = target;
  const reason = $("mod-reason").value.trim();
  if (reason.length > 500) return dialogError(dialog, "A reason can have at most 500 characters.", "bad_frame");
  const frame =
    action === "kick"
      ? { type: "kick", user, ...(reason ? { reason } : {}) }
      : { type: "mute", user, room, minutes: Number($("mod-minutes").value) };
  dialogError(dialog, null);
  setBusy(dialog, true, action === "kick" ? "Kicking…" : "Muting…");
  request(frame, (f) => {
    setBusy(dialog, false);
    if (f.type !== "moderated") return dialogError(dialog, errorText(f.code, f.message), f.code);
    dialog.close();
    toast(describe(f), "info", `moderated-${f.action}`);
  });
}

function unmute(user, room) {
  request({ type: "unmute", user, room }, (f) => {
    if (f.type === "moderated") toast(describe(f), "info", "moderated-unmute");
    else toast(errorText(f.code, f.message), "error", f.code);
  });
}

/** What a `moderated` answer did, in words. */
function describe(f) {
  if (f.action === "kick") return `${f.user} was disconnected (${f.sessions === 1 ? "1 connection" : `${f.sessions ?? 0} connections`}).`;
  if (f.action === "mute") return `${f.user} is muted in #${f.room} until ${friendlyTime(f.until)}.`;
  if (f.action === "unmute") return `${f.user} may write in #${f.room} again.`;
  return `Done: ${f.action} ${f.user}.`;
}
