// Drawers: the sidebar (narrow screens) and the member list (medium and narrow).
import { $ } from "./dom.js";

function setDrawer(name, open) {
  const app = $("app");
  app.classList.toggle(`${name}-open`, open);
  if (name === "sidebar") $("sidebar-toggle").setAttribute("aria-expanded", String(open));
  if (name === "members") $("members-toggle").setAttribute("aria-expanded", String(open));
  $("scrim").hidden = !app.classList.contains("sidebar-open") && !app.classList.contains("members-open");
}

export function closeDrawers() {
  setDrawer("sidebar", false);
  setDrawer("members", false);
}

/** Opens or closes a drawer from its toggle button; keyboard focus goes into it and back. */
export function toggleDrawer(name) {
  const open = !$("app").classList.contains(`${name}-open`);
  setDrawer(name, open);
  if (open) $(name === "sidebar" ? "sidebar" : "members").querySelector("button")?.focus();
}

export function closeDrawersFromKeyboard() {
  const app = $("app");
  const toggle = app.classList.contains("sidebar-open") ? "sidebar-toggle" : app.classList.contains("members-open") ? "members-toggle" : null;
  closeDrawers();
  if (toggle) $(toggle).focus();
}
