// chatd web client: the entry module. Plain modern JavaScript as ES modules, no
// framework, no build step, no external requests (the page is served with a
// strict CSP). It speaks the protocol in docs/protocol.md over one WebSocket.
//
// Modules: connection (the socket), frames (what each server frame does), state
// and model (conversations and their messages), render and timeline (drawing),
// composer, signin, notices, dialogs, menus and moderation, drawers, events;
// markdown and message-view (a message's text, quote and reactions), compose
// (reply/edit), changes (edit, delete, react), reactions (the picker),
// autocomplete (@names), reading (read markers, badges), notify, topic, roles
// (room operators, voice, modes), directory (browse rooms), settings-panel.
// vendor/ holds npm packages (assets.ts).
import { connect, setStatus } from "./connection.js";
import { wireUp } from "./events.js";
import { installDmActions, installModeration } from "./moderation.js";
import { installMessageActions } from "./changes.js";
import { render } from "./render.js";
import { installRoleMenus } from "./roles.js";
import { showApp, showSignin } from "./signin.js";
import { state } from "./state.js";

wireUp();
installMessageActions(); // Reply, React, Edit, Delete first in the message menu
installDmActions(); // then "Message …"
installRoleMenus(); // then operator and voice (room operators), and the room menu's secret mode
installModeration(); // then kick, mute, unmute (moderators and admins)
if (state.token) {
  // Resume without asking for the password; the sign-in form comes back only if the token is refused.
  showApp();
  render.all();
  connect();
} else {
  setStatus("offline");
  showSignin();
}
