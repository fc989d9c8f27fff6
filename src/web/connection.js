// One WebSocket to /ws: connect, reconnect with exponential backoff and jitter,
// keepalive pings, and the connection status in the top bar.
import { $, announce } from "./dom.js";
import { handleFrame } from "./frames.js";
import { render } from "./render.js";
import { failRequests } from "./requests.js";
import { BACKOFF_BASE_MS, BACKOFF_MAX_MS, KEEPALIVE_MS, RESTART_DELAY_MS } from "./settings.js";
import { showSigninError, signOutLocally } from "./signin.js";
import { conn, state } from "./state.js";
import { storage } from "./storage.js";

function wsUrl() {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
}

export function connect() {
  clearTimeout(conn.retryTimer);
  clearInterval(conn.countdownTimer);
  dropSocket();
  const generation = ++conn.generation;
  let ws;
  try {
    ws = new WebSocket(wsUrl());
  } catch {
    onDisconnect(1006, "");
    return;
  }
  conn.ws = ws;
  setStatus("connecting");
  ws.addEventListener("open", () => {
    if (generation !== conn.generation) return;
    conn.lastFrameAt = Date.now();
    sendHello();
  });
  ws.addEventListener("message", (event) => {
    if (generation !== conn.generation) return;
    conn.lastFrameAt = Date.now();
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    if (frame && typeof frame.type === "string") handleFrame(frame);
  });
  ws.addEventListener("close", (event) => {
    if (generation !== conn.generation) return;
    onDisconnect(event.code, event.reason);
  });
}

/** Forgets the current socket; its late events are ignored from now on. */
export function dropSocket() {
  const old = conn.ws;
  conn.generation++;
  conn.ws = null;
  conn.authed = false;
  clearInterval(conn.keepaliveTimer);
  clearInterval(conn.roomsTimer);
  failRequests();
  if (old && old.readyState <= WebSocket.OPEN) {
    try {
      old.close(1000);
    } catch {
      // already closing
    }
  }
}

export function send(frame) {
  if (!conn.ws || conn.ws.readyState !== WebSocket.OPEN) return false;
  conn.ws.send(JSON.stringify(frame));
  return true;
}

export function sendHello() {
  if (state.credentials) send({ type: "hello", user: state.credentials.user, password: state.credentials.password });
  else if (state.token) send({ type: "hello", token: state.token });
}

export function onDisconnect(code, reason) {
  conn.ws = null;
  conn.authed = false;
  clearInterval(conn.keepaliveTimer);
  clearInterval(conn.roomsTimer);
  conn.generation++;
  failRequests();
  // Answers to requests of the old connection will never come.
  for (const conv of state.convs.values()) {
    conv.loadingOlder = false;
    conv.requests = [];
    conv.typing.clear();
    if (conv.kind === "room") {
      conv.joined = false;
      conv.joining = false;
    }
  }
  render.all();

  if (code === 1008 && reason === "authentication timeout" && !state.token) {
    // The server closes a socket that stayed signed out for limits.authTimeoutMs (e.g. after a wrong
    // password). Nothing is wrong: a sign-in caught in that close goes out again on a new socket.
    setStatus("offline");
    if (state.signingIn) connect();
    return;
  }
  if (state.signingIn) {
    // A password sign-in that never got an answer.
    state.signingIn = false;
    state.credentials = null;
    showSigninError("Could not reach the server. Check your connection and try again.");
    setStatus("offline");
    return;
  }
  if (!state.token) {
    setStatus("offline");
    return;
  }
  if (code === 1000 && reason === "signed out") {
    signOutLocally("You were signed out.");
    return;
  }
  if (code === 4002 && reason === "password changed") {
    // Changed in another tab of this browser: that tab saved the new token; follow it.
    const saved = storage.get("token");
    if (saved && saved !== state.token) {
      state.token = saved;
      connect();
      return;
    }
    signOutLocally("Your password was changed. Sign in with the new password.");
    return;
  }
  if (code === 4000 || code === 4002 || state.kicked) {
    state.kicked = true;
    setStatus("offline", code === 4002 ? "banned" : "disconnected by a moderator");
    return;
  }
  scheduleReconnect(code === 1012);
}

export function scheduleReconnect(serverRestarting) {
  clearTimeout(conn.retryTimer);
  clearInterval(conn.countdownTimer);
  if (!navigator.onLine) {
    // The 'online' event reconnects at once; no point in trying before.
    setStatus("offline", "no network");
    return;
  }
  const base = serverRestarting ? RESTART_DELAY_MS : Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** conn.attempt);
  const delay = Math.round(base / 2 + (Math.random() * base) / 2); // jitter: spread clients out
  conn.attempt++;
  conn.retryAt = Date.now() + delay;
  conn.retryTimer = setTimeout(connect, delay);
  conn.countdownTimer = setInterval(() => setStatus("reconnecting"), 1000);
  setStatus("reconnecting");
}

export function reconnectNow() {
  state.kicked = false;
  if (state.token && !conn.ws) connect();
}

/** A socket can die without a close event (sleeping laptop, NAT): ping, and give up on silence. */
export function startKeepalive() {
  clearInterval(conn.keepaliveTimer);
  let pingSentAt = 0;
  conn.keepaliveTimer = setInterval(() => {
    // Dead only if nothing at all arrived since the previous ping. Background tabs
    // run timers late, so the time between ticks alone proves nothing.
    if (pingSentAt > conn.lastFrameAt) {
      dropSocket();
      onDisconnect(4100, "keepalive timeout");
      return;
    }
    pingSentAt = Date.now();
    send({ type: "ping" });
  }, KEEPALIVE_MS);
}

export function setStatus(status, detail) {
  const previous = conn.status;
  conn.status = status;
  if (previous !== status && state.me && (status === "online" || previous === "online")) announce(`Connection ${status}.`);
  const node = $("conn-status");
  let text = status;
  if (status === "reconnecting") {
    const seconds = Math.max(0, Math.ceil((conn.retryAt - Date.now()) / 1000));
    text = seconds > 0 ? `reconnecting in ${seconds}s` : "reconnecting";
  } else if (status === "connecting") {
    text = "connecting…";
  } else if (status === "offline" && detail) {
    text = `offline (${detail})`;
  }
  node.textContent = text;
  node.dataset.state = status;
  $("reconnect-now").hidden = !(state.token && (status === "reconnecting" || status === "offline"));
  render.composer();
}
