// The page's event listeners: fixed controls by id, everything built
// dynamically through one click handler (data-action / data-testid).
import { $ } from "./dom.js";
import { connect, reconnectNow, scheduleReconnect } from "./connection.js";
import { activate, joinRoom, leaveActive, openDm } from "./conversations.js";
import { onComposerInput, onComposerKey, submitComposer } from "./composer.js";
import { cancelUpload, startUploads, viewImage } from "./attach.js";
import { onDmNameInput, openDialog, submitDm, submitJoin } from "./dialogs.js";
import { closeDrawers, closeDrawersFromKeyboard, toggleDrawer } from "./drawers.js";
import { closeMenu, onMenuKey, openMemberMenu, openMessageMenu, openRoomMenu } from "./menus.js";
import { forgetPending, requestOlder, transmit } from "./model.js";
import { submitModeration } from "./moderation.js";
import { dismissAllNotices, dismissNotice, toggleNotices } from "./notices.js";
import { render } from "./render.js";
import { signOut, signOutLocally, submitSignin } from "./signin.js";
import { readerScrolled } from "./timeline.js";
import { moreResults, openResult, openSearch, submitSearch } from "./search.js";
import { activeConv, conn, state } from "./state.js";
import { storage } from "./storage.js";
import { wireAutocomplete } from "./autocomplete.js";
import { submitDelete, toggleReaction } from "./changes.js";
import { cancelCompose } from "./compose.js";
import { browseMore, onBrowseInput, openBrowse, openFromBrowse } from "./directory.js";
import { askPermission, dismissOffer } from "./notify.js";
import { wirePicker } from "./reactions.js";
import { scheduleRead } from "./reading.js";
import { onNotifyToggle, openSettings, submitPassword } from "./settings-panel.js";
import { openTopicDialog, submitTopic, toggleTopicLock } from "./topic.js";
import { jumpTo } from "./timeline.js";

function onClick(event) {
  if (!event.target.closest("#menu")) closeMenu(false);
  const target = event.target.closest("button");
  if (!target) return;
  const action = target.dataset.action;
  if (target.dataset.testid === "room-item") {
    joinRoom(target.dataset.room);
  } else if (target.dataset.testid === "dm-item") {
    activate("@" + target.dataset.user);
  } else if (action === "dm") {
    openDm(target.dataset.name);
  } else if (action === "member-menu") {
    openMemberMenu(target, target.dataset.name);
  } else if (action === "room-menu") {
    openRoomMenu(target);
  } else if (action === "message-menu") {
    openMessageMenu(target, target.dataset.id);
  } else if (action === "load-older") {
    const conv = activeConv();
    if (conv) requestOlder(conv);
  } else if (action === "retry" || action === "discard") {
    const pending = state.pendingByRef.get(target.dataset.ref);
    if (!pending) return;
    if (action === "retry") transmit(pending);
    else forgetPending(pending);
    const conv = state.convs.get(pending.conv);
    if (conv) render.conversation(conv);
  } else if (action === "cancel-upload") {
    cancelUpload(target.dataset.key);
  } else if (action === "view-image") {
    viewImage(target.dataset.url, target.dataset.name);
  } else if (action === "jump-to") {
    jumpTo(target.dataset.id);
  } else if (action === "react") {
    toggleReaction(target.dataset.id, target.dataset.emoji);
  } else if (action === "cancel-compose") {
    cancelCompose();
    $("composer-input").focus();
  } else if (action === "open-room") {
    openFromBrowse(target.dataset.room);
  } else if (action === "search-hit") {
    openResult(target.dataset.conv, target.dataset.id);
  } else if (action === "dismiss-toast") {
    target.closest(".toast")?.remove();
  } else if (action === "dismiss-notice") {
    dismissNotice(target.dataset.notice);
  } else if (target.hasAttribute("data-close")) {
    target.closest("dialog")?.close();
  }
}

export function wireUp() {
  $("signin-form").addEventListener("submit", submitSignin);
  $("composer").addEventListener("submit", submitComposer);
  $("composer-input").addEventListener("keydown", onComposerKey);
  $("composer-input").addEventListener("input", onComposerInput);
  $("timeline").addEventListener("scroll", onTimelineScroll, { passive: true });
  $("attach").addEventListener("click", () => $("file-input").click());
  $("file-input").addEventListener("change", (event) => {
    startUploads(event.target.files);
    event.target.value = "";
  });
  $("composer-input").addEventListener("paste", (event) => {
    if (event.clipboardData?.files.length) {
      event.preventDefault();
      startUploads(event.clipboardData.files);
    }
  });
  $("composer").addEventListener("dragover", (event) => {
    if (event.dataTransfer?.types.includes("Files")) event.preventDefault();
  });
  $("composer").addEventListener("drop", (event) => {
    if (!event.dataTransfer?.files.length) return;
    event.preventDefault();
    startUploads(event.dataTransfer.files);
  });
  $("signout").addEventListener("click", signOut);
  $("leave").addEventListener("click", leaveActive);
  $("reconnect-now").addEventListener("click", reconnectNow);
  $("jump-latest").addEventListener("click", () => {
    const box = $("timeline");
    box.scrollTop = box.scrollHeight;
    $("jump-latest").hidden = true;
  });
  $("notices-more").addEventListener("click", toggleNotices);
  $("notices-clear").addEventListener("click", dismissAllNotices);
  $("sidebar-toggle").addEventListener("click", () => toggleDrawer("sidebar"));
  $("members-toggle").addEventListener("click", () => toggleDrawer("members"));
  $("scrim").addEventListener("click", closeDrawers);
  $("open-join").addEventListener("click", () => openDialog("join-dialog", "join-name"));
  $("open-dm").addEventListener("click", () => {
    onDmNameInput();
    openDialog("dm-dialog", "dm-name");
  });
  $("join-form").addEventListener("submit", submitJoin);
  $("dm-form").addEventListener("submit", submitDm);
  $("dm-name").addEventListener("input", onDmNameInput);
  $("mod-form").addEventListener("submit", submitModeration);
  $("confirm-form").addEventListener("submit", submitDelete);
  $("topic-form").addEventListener("submit", submitTopic);
  $("edit-topic").addEventListener("click", openTopicDialog);
  $("topic-lock").addEventListener("click", toggleTopicLock);
  $("open-browse").addEventListener("click", openBrowse);
  $("rooms-query").addEventListener("input", onBrowseInput);
  $("rooms-form").addEventListener("submit", (event) => {
    event.preventDefault();
    onBrowseInput();
  });
  $("rooms-more").addEventListener("click", browseMore);
  $("open-settings").addEventListener("click", openSettings);
  $("settings-form").addEventListener("submit", submitPassword);
  $("settings-notify").addEventListener("change", onNotifyToggle);
  $("notify-yes").addEventListener("click", () => void askPermission());
  $("notify-no").addEventListener("click", dismissOffer);
  wirePicker();
  wireAutocomplete();
  document.addEventListener("click", onClick);
  $("open-search").addEventListener("click", openSearch);
  $("search-form").addEventListener("submit", submitSearch);
  $("search-more").addEventListener("click", moreResults);
  document.addEventListener("keydown", (event) => {
    if (onMenuKey(event)) return;
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k") {
      event.preventDefault(); // the browser's own Ctrl+K (its search bar)
      if (!document.querySelector("dialog[open]")) openSearch();
      return;
    }
    if (event.key === "Escape" && !document.querySelector("dialog[open]")) closeDrawersFromKeyboard();
  });
  window.addEventListener("resize", () => closeMenu(false));
  // Coming back to the tab reads what is on screen.
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) scheduleRead();
    if (!document.hidden && conn.status === "reconnecting") reconnectNow();
  });
  window.addEventListener("online", () => {
    if (state.token && !conn.ws && !state.kicked) connect();
  });
  window.addEventListener("offline", () => {
    if (conn.status === "reconnecting") scheduleReconnect(false);
  });
  // Signing out in another tab revokes the token: follow it here.
  window.addEventListener("storage", (event) => {
    if (event.key === storage.key("token") && event.newValue === null && state.token) signOutLocally("You signed out in another tab.");
  });
}

function onTimelineScroll() {
  closeMenu(false);
  const box = $("timeline");
  if (box.scrollHeight - box.scrollTop - box.clientHeight < 60) {
    $("jump-latest").hidden = true;
    scheduleRead();
  }
  const conv = activeConv();
  if (conv && box.scrollTop < 80 && readerScrolled(box)) requestOlder(conv);
}
