import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { anyMessages, say, screenshot, sentMessages, signIn, waitForRoom, webSuite, type WsTap } from "../helpers/browser.ts";

/** Kick and mute from the member list and the message menu, for moderators and admins. */

const web = webSuite();

/**
 * The page learns the role from `welcome.role`. The tap sets the role the page is
 * to believe it has: the one the test gave the account (PUT /admin/role), or one
 * the server does not agree with (a pretender), whose requests it refuses.
 */
function withRole(tap: WsTap, role: string): void {
  tap.rewrite = (frame) => (frame.type === "welcome" ? { ...frame, role } : frame);
}

async function menuItems(page: Page): Promise<string[]> {
  await page.getByTestId("menu").waitFor();
  return page.getByTestId("menu-item").evaluateAll((nodes) => nodes.map((n) => (n as HTMLElement).dataset.item ?? ""));
}

describe("moderation in the page", () => {
  it("gives a moderator kick and mute on members and messages, and nobody else", async () => {
    const d = await web.daemon();
    const mod = await web.tapped(d);
    const mallory = await web.user(d);
    await signIn(mallory.page, "mallory");
    await waitForRoom(mallory.page, "general");
    await signIn(mod.page, "maude");
    const role = await d.http("/admin/role", { method: "PUT", admin: true, body: JSON.stringify({ user: "maude", role: "moderator" }) });
    expect(role.status).toBe(200);
    // The page learns the role when it connects: no moderation in its menus before a reload.
    await waitForRoom(mod.page, "general");
    await mod.page.locator('[data-testid="member-menu"][data-name="mallory"]').click();
    expect(await menuItems(mod.page)).toEqual(["dm"]);
    await mod.page.keyboard.press("Escape");
    withRole(mod.tap, "moderator");
    await mod.page.reload();
    await waitForRoom(mod.page, "general");

    // Mute from the member list.
    await mod.page.locator('[data-testid="member-menu"][data-name="mallory"]').click();
    expect(await menuItems(mod.page)).toEqual(["dm", "op", "voice", "kick", "mute", "unmute"]); // moderators act as room operators (issue 21)
    await screenshot(mod.page, "moderation-member-menu");
    await mod.page.locator('[data-testid="menu-item"][data-item="mute"]').click();
    await mod.page.getByTestId("mod-dialog").waitFor();
    await mod.page.getByTestId("mod-minutes").selectOption("60");
    await screenshot(mod.page, "moderation-mute-dialog");
    await mod.page.getByTestId("mod-submit").click();
    await mod.page.getByTestId("mod-dialog").waitFor({ state: "hidden" });
    await mod.page.locator('[data-testid="toast"][data-code="moderated-mute"]').getByText(/mallory is muted in #general until/).waitFor();
    await mallory.page.locator('[data-testid="notice"][data-kind="mute"]').waitFor();
    await say(mallory.page, "let me talk");
    await mallory.page.locator('[data-testid="message"][data-state="failed"]').getByText(/You are muted/).waitFor();

    // Unmute, then kick from the message menu.
    await mod.page.locator('[data-testid="member-menu"][data-name="mallory"]').click();
    await mod.page.locator('[data-testid="menu-item"][data-item="unmute"]').click();
    await mod.page.locator('[data-testid="toast"][data-code="moderated-unmute"]').waitFor();
    await say(mallory.page, "thanks, sorry");
    await sentMessages(mod.page, "thanks, sorry").waitFor();
    const message = sentMessages(mod.page, "thanks, sorry");
    await message.hover();
    await message.getByTestId("message-menu").click();
    expect(await menuItems(mod.page)).toEqual(["reply", "react", "delete", "dm", "kick", "mute", "unmute"]);
    await mod.page.locator('[data-testid="menu-item"][data-item="kick"]').click();
    await mod.page.getByTestId("mod-reason").fill("cool off");
    await mod.page.getByTestId("mod-submit").click();
    await mod.page.locator('[data-testid="toast"][data-code="moderated-kick"]').getByText("mallory was disconnected (1 connection).").waitFor();
    await mallory.page.locator('[data-testid="notice"][data-kind="kick"]').getByText("Cool off").waitFor();
    await mallory.page.locator('[data-testid="conn-status"][data-state="offline"]').waitFor();

    // A user without the role sees Reply, React and "Message …" in the same menus, no moderation.
    await mallory.page.getByTestId("reconnect-now").click();
    await waitForRoom(mallory.page, "general");
    await say(mod.page, "welcome back");
    await sentMessages(mallory.page, "welcome back").waitFor();
    await mallory.page.locator('[data-testid="member-menu"][data-name="maude"]').click();
    expect(await menuItems(mallory.page)).toEqual(["dm"]);
    await mallory.page.keyboard.press("Escape");
    await anyMessages(mallory.page, "welcome back").hover();
    await anyMessages(mallory.page, "welcome back").getByTestId("message-menu").click();
    expect(await menuItems(mallory.page)).toEqual(["reply", "react", "dm"]);
    expect(mod.errors).toEqual([]);
    expect(mallory.errors).toEqual([]);
  }, 40_000);

  it("shows a refused moderation request inside its dialog", async () => {
    const d = await web.daemon();
    const pretender = await web.tapped(d);
    await web.wsUser(d, "bob").then((bob) => bob.request({ type: "join", room: "general" }, "joined"));
    // The page believes it may moderate; the server, reading the stored role, says no.
    withRole(pretender.tap, "moderator");
    await signIn(pretender.page, "pretender");
    await waitForRoom(pretender.page, "general");
    await pretender.page.locator('[data-testid="member-menu"][data-name="bob"]').click();
    await pretender.page.locator('[data-testid="menu-item"][data-item="kick"]').click();
    await pretender.page.getByTestId("mod-submit").click();
    const error = pretender.page.locator('[data-testid="mod-error"][data-code="forbidden"]');
    await error.waitFor();
    expect(await error.isVisible()).toBe(true);
    expect(await error.textContent()).toBe("Only moderators and admins may do that.");
  });
});
