// The message composer: Enter sends, Shift+Enter is a new line, typing notices, the length limit.
import { $ } from "./dom.js";
import { send } from "./connection.js";
import { sendMessage } from "./model.js";
import { charactersLeft, render } from "./render.js";
import { TYPING_SEND_EVERY_MS } from "./settings.js";
import { state } from "./state.js";
import { hasFiles, takeFiles, uploading, whenUploadsDone } from "./attach.js";
import { toast } from "./dom.js";
import { onAutocompleteInput, onAutocompleteKey } from "./autocomplete.js";
import { cancelCompose, composeMode, editLastOwn } from "./compose.js";
import { sendEdit } from "./changes.js";

export function submitComposer(event) {
  event?.preventDefault();
  const conv = state.convs.get(state.active);
  const input = $("composer-input");
  const text = input.value;
  // Over the limit nothing is sent (Send is disabled too): the counter says by how much.
  const mode = composeMode();
  if (mode?.mode === "edit") {
    if (!conv || text.trim() === "" || charactersLeft() < 0) return;
    const id = mode.id;
    cancelCompose(); // the draft from before the edit comes back
    sendEdit(id, text);
    return;
  }
  if (!conv || (text.trim() === "" && !hasFiles()) || charactersLeft() < 0) return;
  if (uploading()) {
    // Sent as it stands then, unless another conversation is on screen by that time.
    const key = state.active;
    whenUploadsDone(() => state.active === key && submitComposer());
    return toast("Sending once the uploads finish (× cancels one).", "info");
  }
  const files = takeFiles();
  const replyTo = mode?.mode === "reply" ? mode.id : undefined;
  input.value = "";
  conv.draft = "";
  conv.lastTypingSent = 0; // the message ends this typing spell; the next keystroke starts a new one
  autosize();
  if (mode) cancelCompose();
  sendMessage(conv, text, files, replyTo);
  render.composer();
}

export function onComposerKey(event) {
  if (event.isComposing || event.keyCode === 229) return; // never interrupt an IME composition
  if (onAutocompleteKey(event)) return;
  if (event.key === "Escape" && composeMode()) {
    event.preventDefault();
    cancelCompose();
    return;
  }
  // Up in an empty composer edits our last message (as in most chats).
  if (event.key === "ArrowUp" && !event.shiftKey && $("composer-input").value === "" && !composeMode() && editLastOwn()) {
    event.preventDefault();
    return;
  }
  // Enter sends; Shift+Enter is a new line.
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    submitComposer();
  }
}

export function onComposerInput() {
  autosize();
  render.composer();
  onAutocompleteInput();
  const conv = state.convs.get(state.active);
  if (!conv || conv.kind !== "room" || !conv.joined || $("composer-input").value.trim() === "") return;
  const now = Date.now();
  if (now - conv.lastTypingSent >= TYPING_SEND_EVERY_MS) {
    conv.lastTypingSent = now;
    send({ type: "typing", room: conv.target });
  }
}

/** The textarea grows with its content up to a limit (CSSOM, allowed by the CSP). */
export function autosize() {
  const input = $("composer-input");
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 200)}px`;
}
