// What the composer's next send does besides a plain message: reply to a message
// (quoted in a bar above the input) or edit one of ours (Up arrow in an empty
// composer edits the last one). Esc or the bar's × goes back to a plain message.
import { $, el } from "./dom.js";
import { autosize } from "./composer.js";
import { plainPreview } from "./markdown.js";
import { findItem } from "./message-view.js";
import { render } from "./render.js";
import { activeConv, isMe, state } from "./state.js";

export function startReply(conv, id) {
  const draft = state.compose?.mode === "edit" ? "" : null; // leaving an edit: its text is not a draft
  state.compose = { mode: "reply", conv: conv.key, id };
  if (draft !== null) $("composer-input").value = draft;
  renderComposeBar();
  $("composer-input").focus();
}

export function startEdit(conv, id) {
  const message = findItem(conv, id);
  if (!message || message.deleted) return;
  const input = $("composer-input");
  if (!state.compose || state.compose.mode !== "edit") conv.draft = input.value; // comes back after the edit
  state.compose = { mode: "edit", conv: conv.key, id };
  input.value = message.text ?? "";
  autosize();
  renderComposeBar();
  render.composer();
  input.focus();
  input.setSelectionRange(input.value.length, input.value.length);
}

/** Up arrow in an empty composer: edit our newest message here. True if there was one. */
export function editLastOwn() {
  const conv = activeConv();
  if (!conv) return false;
  const mine = conv.items.findLast((m) => isMe(m.from) && !m.deleted);
  if (!mine) return false;
  startEdit(conv, mine.id);
  return true;
}

export function cancelCompose() {
  const was = state.compose;
  state.compose = null;
  if (was?.mode === "edit") {
    const conv = state.convs.get(was.conv);
    $("composer-input").value = conv?.draft ?? "";
    autosize();
  }
  renderComposeBar();
  render.composer();
}

/** The compose mode for the conversation on screen, or null (another conversation's mode ends). */
export function composeMode() {
  if (state.compose && state.compose.conv !== state.active) state.compose = null;
  return state.compose;
}

export function renderComposeBar() {
  const bar = $("composer-context");
  const mode = composeMode();
  const conv = activeConv();
  const target = mode ? findItem(conv, mode.id) : null;
  if (!mode || !target) {
    if (mode) state.compose = null;
    bar.hidden = true;
    bar.replaceChildren();
    $("composer").dataset.mode = "";
    return;
  }
  const label = mode.mode === "edit" ? "Editing your message" : `Replying to ${target.from}`;
  bar.replaceChildren(
    el("span", { class: "context-label" }, label),
    mode.mode === "reply" ? el("span", { class: "context-text" }, plainPreview(target.text, 100)) : el("span", { class: "context-text" }, "Enter to save, Esc to cancel"),
    el("button", { type: "button", class: "icon-btn", "data-action": "cancel-compose", "data-testid": "cancel-compose", "aria-label": mode.mode === "edit" ? "Cancel editing" : "Cancel reply" }, "×"),
  );
  bar.dataset.mode = mode.mode;
  bar.hidden = false;
  $("composer").dataset.mode = mode.mode;
}
