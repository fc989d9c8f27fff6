// The sign-in form, the sign-in back-off countdown, and signing out.
import { $, toast } from "./dom.js";
import { connect, dropSocket, onDisconnect, send, sendHello, setStatus } from "./connection.js";
import { errorText } from "./errors.js";
import { clearNotices } from "./notices.js";
import { conn, saveLayout, state } from "./state.js";
import { storage } from "./storage.js";
import { duration, validName } from "./text.js";

let backoff = { until: 0, timer: 0 }; // the sign-in back-off the server announced (rate_limited)

export function submitSignin(event) {
  event.preventDefault();
  const user = $("signin-name").value.trim();
  const password = $("signin-password").value;
  if (!user || !password) {
    showSigninError("Enter a name and a password.");
    return;
  }
  // Refused here with the naming rule, as the server would: never shortened into another name.
  if (!validName(user)) {
    showSigninError(errorText("bad_name"), "bad_name");
    $("signin-name").select();
    return;
  }
  if (backoff.until > Date.now()) return; // the countdown says when
  hideSigninError();
  state.credentials = { user, password };
  state.signingIn = true;
  $("signin-submit").disabled = true;
  $("signin-status").textContent = "Signing in…";
  // An open socket that is not signed in yet (e.g. after a wrong password) can be reused.
  if (conn.ws && conn.ws.readyState === WebSocket.OPEN && !conn.authed) sendHello();
  else connect();
}

export function signinFailed(f) {
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
  if (f.code === "rate_limited") {
    startBackoff(typeof f.retryAfterMs === "number" && f.retryAfterMs > 0 ? f.retryAfterMs : null);
    return;
  }
  showSigninError(errorText(f.code, f.message), f.code);
  if (f.code === "auth_failed" || f.code === "bad_password") $("signin-password").select();
  else $("signin-name").select();
}

/** "Too many failed sign-ins; try again in 4 s", counting down; the button waits with it. */
function startBackoff(retryAfterMs) {
  clearInterval(backoff.timer);
  if (retryAfterMs === null) {
    // An older server does not say how long: say what happened, let the user judge.
    backoff.until = 0;
    showSigninError("Too many failed sign-ins; wait a moment, then try again.", "rate_limited");
    return;
  }
  backoff.until = Date.now() + retryAfterMs;
  const tick = () => {
    const left = backoff.until - Date.now();
    if (left <= 0) {
      clearInterval(backoff.timer);
      backoff.until = 0;
      hideSigninError();
      $("signin-submit").disabled = false;
      $("signin-status").textContent = "You can try again now.";
      return;
    }
    showSigninError(`Too many failed sign-ins; try again in ${duration(left)}`, "rate_limited");
    $("signin-submit").disabled = true;
  };
  tick();
  backoff.timer = setInterval(tick, 250);
}

export function signOut() {
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
export function signOutLocally(message) {
  if (state.me) saveLayout();
  storage.set("token", null);
  state.token = null;
  state.me = null;
  state.convs.clear();
  state.pendingByRef.clear();
  state.active = null;
  state.kicked = false;
  clearNotices();
  clearTimeout(conn.retryTimer);
  clearInterval(conn.countdownTimer);
  dropSocket();
  setStatus("offline");
  showSignin();
  if (message) $("signin-status").textContent = message;
}

export function showSignin() {
  $("app").hidden = true;
  $("signin-screen").hidden = false;
  $("signin-submit").disabled = backoff.until > Date.now();
  $("signin-password").value = "";
  $("signin-title").textContent = state.server.name || "chatd";
  // The server's welcome text replaces the built-in hint; both would say the same twice.
  $("signin-welcome").textContent = state.server.welcome || "";
  $("signin-welcome").hidden = !state.server.welcome;
  $("signin-help").hidden = Boolean(state.server.welcome);
  document.title = state.server.name || "chatd";
  $("signin-name").focus();
}

export function showApp() {
  $("signin-screen").hidden = true;
  $("signin-status").textContent = "";
  $("signin-password").value = "";
  hideSigninError();
  $("app").hidden = false;
}

export function showSigninError(text, code) {
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
  $("signin-error").dataset.code = "";
}
