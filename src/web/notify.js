// Desktop notifications (the Notification API): only while the tab is hidden,
// and only for a message that mentions us or a direct message to us. The
// browser's permission is asked for only when the user says yes to our offer
// (in the sidebar, once) or in Settings, never on load.
import { $ } from "./dom.js";
import { activate } from "./conversations.js";
import { mentionsMe, plainPreview } from "./markdown.js";
import { isMe, state } from "./state.js";
import { storage } from "./storage.js";

const supported = () => typeof Notification === "function";
export const permission = () => (supported() ? Notification.permission : "unsupported");

/** The user's own switch (Settings); on by default once the browser allows notifications. */
export function notificationsOn() {
  return storage.get("notify") !== false && permission() === "granted";
}

export function notify(conv, message) {
  if (!document.hidden || !notificationsOn() || isMe(message.from)) return;
  if (conv.kind !== "dm" && !mentionsMe(message, state.me?.key)) return;
  const title = conv.kind === "dm" ? `${message.from} (direct message)` : `${message.from} in #${conv.name}`;
  try {
    const note = new Notification(title, { body: plainPreview(message.text, 200) || "Sent a file", tag: conv.key });
    note.onclick = () => {
      window.focus();
      activate(conv.key);
      note.close();
    };
  } catch {
    // Some browsers only notify from a service worker: nothing to do then.
  }
}

/** Asks the browser, after the user chose to; resolves to the permission. */
export async function askPermission() {
  if (!supported()) return "unsupported";
  storage.set("notify", true);
  const answer = await Notification.requestPermission();
  renderNotifyOffer();
  return answer;
}

export function dismissOffer() {
  storage.set("notify-offer-dismissed", true);
  renderNotifyOffer();
}

/** The offer in the sidebar: shown while the browser has not been asked and the user has not said "Not now". */
export function renderNotifyOffer() {
  $("notify-offer").hidden = !state.me || permission() !== "default" || storage.get("notify-offer-dismissed") === true;
}
