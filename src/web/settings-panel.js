// The settings panel: desktop notifications on or off, and a password change
// (`password` -> `password_changed` with a new token; every other device of the
// user is signed out by the server).
import { $, toast } from "./dom.js";
import { dialogError, openDialog, setBusy } from "./dialogs.js";
import { errorText } from "./errors.js";
import { askPermission, notificationsOn, permission } from "./notify.js";
import { request } from "./requests.js";
import { state } from "./state.js";
import { storage } from "./storage.js";

export function openSettings() {
  openDialog("settings-dialog", "settings-old");
  $("settings-user").value = state.me?.name ?? ""; // for password managers
  renderNotifySetting();
}

function renderNotifySetting() {
  const box = $("settings-notify");
  const status = $("settings-notify-status");
  const p = permission();
  box.checked = notificationsOn();
  box.disabled = p === "denied" || p === "unsupported";
  status.textContent =
    p === "denied" ? "Your browser blocks notifications for this site; allow them in the browser's site settings." : p === "unsupported" ? "This browser cannot show notifications." : "";
}

export async function onNotifyToggle() {
  const on = $("settings-notify").checked;
  if (!on) storage.set("notify", false);
  else if (permission() === "default") await askPermission();
  else storage.set("notify", true);
  renderNotifySetting();
}

export function submitPassword(event) {
  event.preventDefault();
  const dialog = $("settings-dialog");
  const old = $("settings-old").value;
  const fresh = $("settings-new").value;
  if (!old || !fresh) return dialogError(dialog, "Enter your current password and a new one.", "bad_frame");
  if (fresh !== $("settings-confirm").value) return dialogError(dialog, "The new password and its confirmation differ.", "mismatch");
  if ([...fresh].length < (state.limits.passwordMinLength ?? 8)) return dialogError(dialog, errorText("bad_password"), "bad_password");
  dialogError(dialog, null);
  setBusy(dialog, true, "Changing…");
  request({ type: "password", old, new: fresh }, (f) => {
    setBusy(dialog, false);
    if (f.type !== "password_changed") {
      const text = f.code === "auth_failed" ? "Your current password is not right." : errorText(f.code, f.message);
      return dialogError(dialog, text, f.code);
    }
    state.token = f.token;
    storage.set("token", f.token);
    for (const id of ["settings-old", "settings-new", "settings-confirm"]) $(id).value = "";
    dialog.close();
    toast("Password changed. Your other devices were signed out.", "info", "password-changed");
  });
}
