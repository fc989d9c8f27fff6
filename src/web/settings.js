// Tunables of the page, in one place. Server limits arrive in `welcome` (state.limits).

export const TYPING_SEND_EVERY_MS = 3000; // at most one `typing` frame per room per 3 s
export const TYPING_SHOW_MS = 4000; // how long "x is typing" stays without a new frame
export const BACKOFF_BASE_MS = 500; // first reconnect delay (before jitter)
export const BACKOFF_MAX_MS = 30000; // reconnect delay cap
export const RESTART_DELAY_MS = 400; // close code 1012: the server is coming straight back
export const KEEPALIVE_MS = 20000; // ping interval; no answer by the next tick means the socket is dead
export const ROOMS_REFRESH_MS = 30000; // refresh member counts of rooms we are not in
export const PAGE_SIZE = 50; // messages per history page
export const GROUP_GAP_MS = 5 * 60 * 1000; // a pause this long starts a new group
export const TOAST_MS = 6000;
export const STORE = "chatd:v1:"; // localStorage key prefix

/** How long each kind of notice stays before it folds away by itself (null: until dismissed). */
export const NOTICE_TTL_MS = {
  welcome: 30_000,
  broadcast: 10 * 60_000,
  restart: 2 * 60_000,
  shutdown: 2 * 60_000,
  mute: 10 * 60_000, // or until the mute ends, when the notice says
  motd: null,
  kick: null,
  ban: null,
};

/** Mute lengths a moderator can pick, in minutes. */
export const MUTE_CHOICES = [
  { minutes: 10, label: "10 minutes" },
  { minutes: 60, label: "1 hour" },
  { minutes: 24 * 60, label: "1 day" },
  { minutes: 7 * 24 * 60, label: "1 week" },
];
