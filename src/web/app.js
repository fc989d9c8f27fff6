// chatd web client: the entry module. Plain modern JavaScript as ES modules, no
// framework, no build step, no external requests (the page is served with a
// strict CSP). It speaks the protocol in docs/protocol.md over one WebSocket.
//
// Modules: connection (the socket), frames (what each server frame does), state
// and model (conversations and their messages), render and timeline (drawing),
// composer, signin, notices, dialogs, menus and moderation, drawers, events.
import { connect, setStatus } from "./connection.js";
import { wireUp } from "./events.js";
import { installMenus } from "./moderation.js";
import { render } from "./render.js";
import { showApp, showSignin } from "./signin.js";
import { state } from "./state.js";

wireUp();
installMenus();
if (state.token) {
  // Resume without asking for the password; the sign-in form comes back only if the token is refused.
  showApp();
  render.all();
  connect();
} else {
  setStatus("offline");
  showSignin();
}
