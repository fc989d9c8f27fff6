import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { MOBILE, joinRoom, screenshot, signIn, waitForRoom, webSuite } from "../helpers/browser.ts";

/** Issue 21 on the page: operators grant operator and voice from the member menu and make a room secret from the room menu. */

const web = webSuite();

async function menuItems(page: Page): Promise<string[]> {
  await page.getByTestId("menu").waitFor();
  return page.getByTestId("menu-item").evaluateAll((nodes) => nodes.map((n) => (n as HTMLElement).dataset.item ?? ""));
}

function roleOf(page: Page, user: string) {
  return page.locator(`[data-testid="member"][data-user="${user}"] [data-testid="member-role"]`);
}

async function memberMenu(page: Page, user: string): Promise<string[]> {
  await page.locator(`[data-testid="member-menu"][data-name="${user}"]`).click();
  return menuItems(page);
}

async function pick(page: Page, item: string): Promise<void> {
  await page.locator(`[data-testid="menu-item"][data-item="${item}"]`).click();
}

describe("room roles and modes in the page", () => {
  it("lets an operator grant voice and operator (live on the member's page) and make the room secret, at 360 px", async () => {
    const d = await web.daemon();
    // alice, on a phone, creates #den and so is its operator; bob joins it; carol is not in it.
    const alice = await web.user(d, { viewport: MOBILE, isMobile: true });
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");
    await joinRoom(alice.page, "den");
    const bob = await web.user(d);
    await signIn(bob.page, "bob");
    await waitForRoom(bob.page, "general");
    await joinRoom(bob.page, "den");
    const carol = await web.user(d);
    await signIn(carol.page, "carol");
    await waitForRoom(carol.page, "general");

    // bob, no operator, has no such controls: no room menu, only "Message …" in the member menu.
    await roleOf(bob.page, "alice").getByText("@").waitFor();
    expect(await bob.page.getByTestId("room-menu").isHidden()).toBe(true);
    expect(await bob.page.getByTestId("topic-lock").isHidden()).toBe(true);
    expect(await memberMenu(bob.page, "alice")).toEqual(["dm"]);
    await bob.page.keyboard.press("Escape");

    // alice opens the member list (a drawer at 360 px) and gives bob voice: bob's page shows + at once.
    await alice.page.getByTestId("members-toggle").click();
    expect(await memberMenu(alice.page, "bob")).toEqual(["dm", "op", "voice"]);
    await screenshot(alice.page, "roles-member-menu-mobile", "screenshot-roles-mobile.png");
    await pick(alice.page, "voice");
    await alice.page.locator('[data-testid="toast"][data-code="mode-voice"]').getByText("bob now has voice in #den.").waitFor();
    await roleOf(bob.page, "bob").getByText("+").waitFor();
    await roleOf(alice.page, "bob").getByText("+").waitFor();
    await bob.page.locator('[data-testid="toast"][data-code="mode-you"]').getByText("alice gave you voice in #den").waitFor();

    // Then operator: bob's page shows @ and, live, the operator's controls.
    expect(await memberMenu(alice.page, "bob")).toEqual(["dm", "op", "devoice"]);
    await pick(alice.page, "op");
    await roleOf(bob.page, "bob").getByText("@").waitFor();
    await bob.page.getByTestId("room-menu").waitFor();
    await bob.page.getByTestId("topic-lock").waitFor();
    expect(await memberMenu(bob.page, "alice")).toEqual(["dm", "deop", "voice"]);
    await bob.page.keyboard.press("Escape");

    // carol browses the directory and sees #den; alice makes it secret from the room menu: it leaves carol's list live.
    await carol.page.getByTestId("open-browse").click();
    const names = () => carol.page.getByTestId("dir-room").evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.room));
    await expect.poll(names).toEqual(["den", "general"]);
    await alice.page.keyboard.press("Escape"); // the member drawer
    await alice.page.getByTestId("room-menu").click();
    expect(await menuItems(alice.page)).toEqual(["secret-on"]);
    await pick(alice.page, "secret-on");
    await alice.page.getByTestId("room-secret").waitFor();
    await bob.page.getByTestId("room-secret").waitFor();
    await expect.poll(names).toEqual(["general"]);
    // Asked afresh (and searched), the directory leaves it out for carol too, and so does her sidebar.
    await carol.page.keyboard.press("Escape");
    await carol.page.getByTestId("open-browse").click();
    await expect.poll(names).toEqual(["general"]);
    await carol.page.getByTestId("rooms-query").fill("den");
    await carol.page.locator(".dir-empty").waitFor();
    expect(await carol.page.locator('[data-testid="room-item"][data-room="den"]').count()).toBe(0);
    // bob, a member, still finds it.
    await bob.page.getByTestId("open-browse").click();
    await bob.page.locator('[data-testid="dir-room"][data-room="den"]').waitFor();
    await bob.page.keyboard.press("Escape");

    // Made public again (by bob, now an operator): carol's directory has it back.
    await bob.page.getByTestId("room-menu").click();
    expect(await menuItems(bob.page)).toEqual(["secret-off"]);
    await screenshot(bob.page, "roles-secret", "screenshot-roles-secret.png");
    await pick(bob.page, "secret-off");
    await alice.page.getByTestId("room-secret").waitFor({ state: "hidden" });
    await carol.page.locator('[data-testid="room-item"][data-room="den"]').waitFor();

    // Revoking works the same way, live.
    await alice.page.getByTestId("members-toggle").click();
    await memberMenu(alice.page, "bob");
    await pick(alice.page, "deop");
    await roleOf(bob.page, "bob").getByText("+").waitFor();
    await bob.page.getByTestId("room-menu").waitFor({ state: "hidden" });
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
    expect(carol.errors).toEqual([]);
  }, 60_000);

  it("shows a refused mode change as an error toast", async () => {
    const d = await web.daemon();
    const bob = await web.wsUser(d, "bob");
    await bob.request({ type: "join", room: "den" }, "joined");
    // The page is made to believe it is an operator of #den; the server knows better.
    const pretender = await web.tapped(d);
    pretender.tap.rewrite = (frame) => (frame.type === "joined" ? { ...frame, operators: ["bob", "pretender"] } : frame);
    await signIn(pretender.page, "pretender");
    await waitForRoom(pretender.page, "general");
    await joinRoom(pretender.page, "den");
    expect(await memberMenu(pretender.page, "bob")).toEqual(["dm", "deop", "voice"]);
    await pick(pretender.page, "voice");
    const toast = pretender.page.locator('[data-testid="toast"][data-code="forbidden"]');
    await toast.getByText("Only the room's operators (and moderators and admins) may do that.").waitFor();
    expect(await pretender.page.locator('[data-testid="member"][data-user="bob"] [data-testid="member-role"]').textContent()).toBe("@");
    expect(pretender.tap.sentOf("mode")).toMatchObject([{ room: "den", mode: "voice", on: true, user: "bob" }]);
  });
});
