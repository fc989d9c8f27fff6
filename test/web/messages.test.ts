import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { MOBILE, say, screenshot, sentMessages, signIn, waitForRoom, webSuite } from "../helpers/browser.ts";

/** Replies, edits, deletes, reactions, @-autocomplete and mention highlight in the page. */

const web = webSuite();

async function menu(page: Page, text: string, item: string): Promise<void> {
  const message = sentMessages(page, text);
  await message.hover();
  await message.getByTestId("message-menu").click();
  await page.locator(`[data-testid="menu-item"][data-item="${item}"]`).click();
}

async function menuItems(page: Page, text: string): Promise<string[]> {
  const message = sentMessages(page, text);
  await message.hover();
  await message.getByTestId("message-menu").click();
  await page.getByTestId("menu").waitFor();
  const items = await page.getByTestId("menu-item").evaluateAll((nodes) => nodes.map((n) => (n as HTMLElement).dataset.item ?? ""));
  await page.keyboard.press("Escape");
  return items;
}

describe("messages in the page", () => {
  it("replies quote the original, and a click on the quote jumps to it", async () => {
    const d = await web.daemon({ limits: { messageBurst: 100, messagesPerSecond: 100 } });
    const { page, tap, errors } = await web.tapped(d);
    const bob = await web.wsUser(d, "bob");
    await bob.request({ type: "join", room: "general" }, "joined");
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    await bob.request({ type: "say", room: "general", text: "Who can review the release notes?" }, "ack");
    for (let i = 0; i < 30; i++) await bob.request({ type: "say", room: "general", text: `filler ${i}` }, "ack");
    await sentMessages(page, "filler 29").waitFor();

    const original = sentMessages(page, "Who can review the release notes?");
    await original.scrollIntoViewIfNeeded();
    await menu(page, "Who can review the release notes?", "reply");
    await page.getByTestId("composer-context").getByText("Replying to bob").waitFor();
    await say(page, "I can, after lunch");
    const reply = sentMessages(page, "I can, after lunch");
    await reply.waitFor();
    const originalId = await original.getAttribute("data-id");
    expect(tap.sentOf("say").at(-1)).toMatchObject({ text: "I can, after lunch", replyTo: originalId });
    expect(await page.getByTestId("composer-context").isHidden()).toBe(true);
    await reply.getByTestId("reply-quote").getByText("Who can review the release notes?").waitFor();

    // bob's page-less client sees replyTo in the frame; the page shows it in history too.
    await page.getByTestId("timeline").evaluate((box) => (box.scrollTop = box.scrollHeight));
    await reply.getByTestId("reply-quote").click();
    await page.locator(`[data-testid="message"][data-id="${originalId}"].is-flash`).waitFor();
    expect(await original.isVisible()).toBe(true);
    await page.reload();
    await waitForRoom(page, "general");
    await sentMessages(page, "I can, after lunch").getByTestId("reply-quote").getByText("Who can review").waitFor();
    expect(errors).toEqual([]);
  });

  it("edits from the menu and with the up arrow, and deletes after a confirmation", async () => {
    const d = await web.daemon();
    const { page, tap, errors } = await web.tapped(d);
    const other = await web.user(d);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    await signIn(other.page, "bob");
    await waitForRoom(other.page, "general");

    await say(page, "meet at 5");
    await sentMessages(page, "meet at 5").waitFor();
    expect(await menuItems(page, "meet at 5")).toEqual(["reply", "react", "edit", "delete"]);
    await menu(page, "meet at 5", "edit");
    const input = page.getByTestId("composer-input");
    expect(await input.inputValue()).toBe("meet at 5");
    await input.fill("meet at 6");
    await input.press("Enter");
    await sentMessages(other.page, "meet at 6 (edited)").waitFor();
    await sentMessages(page, "meet at 6 (edited)").waitFor();
    expect(tap.sentOf("edit")).toHaveLength(1);

    // Up arrow with a draft is the caret's: nothing is edited, the draft stays.
    await input.fill("a draft");
    await input.press("ArrowUp");
    expect(await page.getByTestId("composer-context").getByText("Editing your message").count()).toBe(0);
    expect(await input.inputValue()).toBe("a draft");

    // Up arrow in the empty composer edits the last one; Esc gives the draft back.
    await input.fill("");
    await input.press("ArrowUp");
    await page.getByTestId("composer-context").getByText("Editing your message").waitFor();
    expect(await input.inputValue()).toBe("meet at 6");
    await input.press("Escape");
    expect(await input.inputValue()).toBe("");
    await input.press("ArrowUp");
    await input.fill("meet at 6:30, room **B**");
    await input.press("Enter");
    await other.page.getByTestId("message-text").locator("strong").getByText("B").waitFor();

    // bob may not edit or delete alice's message: the menu does not offer it.
    expect(await menuItems(other.page, "meet at 6:30, room B (edited)")).toEqual(["reply", "react", "dm"]);

    // Delete, after saying yes.
    await menu(page, "meet at 6:30, room B (edited)", "delete");
    await page.getByTestId("confirm-dialog").waitFor();
    await page.getByTestId("confirm-submit").click();
    await other.page.locator('[data-testid="message"][data-state="deleted"]').getByText("This message was deleted.").waitFor();
    await page.locator('[data-testid="message"][data-state="deleted"]').waitFor();
    expect(tap.sentOf("delete")).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it("lets a moderator delete anyone's message from the message menu", async () => {
    const d = await web.daemon();
    const mod = await web.tapped(d);
    const bob = await web.wsUser(d, "bob");
    await bob.request({ type: "join", room: "general" }, "joined");
    await signIn(mod.page, "maude");
    expect((await d.http("/admin/role", { method: "PUT", admin: true, body: JSON.stringify({ user: "maude", role: "moderator" }) })).status).toBe(200);
    // As in moderation.test.ts: the role the page reads from `welcome.role`, added if a server leaves it out.
    mod.tap.rewrite = (frame) => (frame.type === "welcome" && frame.role === undefined ? { ...frame, role: "moderator" } : frame);
    await mod.page.reload();
    await waitForRoom(mod.page, "general");
    await bob.request({ type: "say", room: "general", text: "buy cheap watches" }, "ack");
    expect(await menuItems(mod.page, "buy cheap watches")).toEqual(["reply", "react", "delete", "dm", "kick", "mute", "unmute"]);
    await menu(mod.page, "buy cheap watches", "delete");
    await mod.page.getByTestId("confirm-text").getByText("from bob").waitFor();
    await mod.page.getByTestId("confirm-submit").click();
    await mod.page.locator('[data-testid="message"][data-state="deleted"]').waitFor();
    const deleted = await bob.next("deleted");
    expect(deleted).toMatchObject({ type: "deleted", room: "general" });
  });

  it("reacts from the picker with a common emoji or any typed one, and toggles with the chip", async () => {
    const d = await web.daemon();
    const alice = await web.user(d);
    const bob = await web.user(d, { viewport: MOBILE, isMobile: true });
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");
    await signIn(bob.page, "bob");
    await waitForRoom(bob.page, "general");
    await say(alice.page, "shipped **1.0** today");
    await sentMessages(bob.page, "shipped 1.0 today").waitFor();

    await menu(bob.page, "shipped 1.0 today", "react");
    await bob.page.getByTestId("picker").waitFor();
    await screenshot(bob.page, "reaction-picker-mobile");
    await bob.page.locator('[data-testid="picker-emoji"][data-emoji="❤️"]').click();
    const chip = (page: Page, emoji: string) => sentMessages(page, "shipped 1.0 today").locator(`[data-testid="reaction"][data-emoji="${emoji}"]`);
    await chip(alice.page, "❤️").getByText("1").waitFor();

    await menu(alice.page, "shipped 1.0 today", "react");
    await alice.page.getByTestId("picker-input").fill("😂");
    await alice.page.getByTestId("picker-submit").click();
    await chip(bob.page, "😂").waitFor();
    await chip(alice.page, "❤️").click(); // alice adds hers to bob's
    await chip(bob.page, "❤️").getByTestId("reaction-count").getByText("2").waitFor();
    await sentMessages(alice.page, "shipped 1.0 today").locator('[data-testid="reaction"][data-emoji="❤️"][aria-pressed="true"]').waitFor(); // marked as hers
    await chip(alice.page, "❤️").click(); // and takes it back
    await chip(bob.page, "❤️").getByTestId("reaction-count").getByText("1").waitFor();

    // A typed word is not an emoji: the picker says so and sends nothing.
    await menu(alice.page, "shipped 1.0 today", "react");
    await alice.page.getByTestId("picker-input").fill("nice");
    await alice.page.getByTestId("picker-submit").click();
    await alice.page.getByTestId("picker-error").waitFor();
    await alice.page.keyboard.press("Escape");
    // A reply with markdown under it, for the picture.
    await menu(bob.page, "shipped 1.0 today", "reply");
    await say(bob.page, "Congrats! Try it:\n- `npm start`\n- open **localhost:8080**");
    await bob.page.locator('[data-testid="message"][data-state="sent"]').last().getByTestId("reply-quote").getByText("shipped 1.0 today").waitFor();
    await screenshot(bob.page, "reactions-mobile", "screenshot-messages-mobile.png");
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  });

  it("says why a 21st different reaction is refused, not that the message is too long", async () => {
    const d = await web.daemon();
    const alice = await web.user(d);
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");
    const bob = await web.wsUser(d, "bob");
    await bob.request({ type: "join", room: "general" }, "joined");
    await say(alice.page, "react to this");
    const id = await sentMessages(alice.page, "react to this").getAttribute("data-id");
    const twenty = [..."😀😁😂🤣😃😄😅😆😉😊😋😎😍😘😗😙😚🙂🤗🤩"];
    for (const emoji of twenty) expect(await bob.request({ type: "react", id, emoji, ref: emoji }, "ack", "error")).toMatchObject({ type: "ack" });
    await sentMessages(alice.page, "react to this").locator('[data-testid="reaction"][data-emoji="🤩"]').waitFor();

    await menu(alice.page, "react to this", "react");
    await alice.page.locator('[data-testid="picker-emoji"][data-emoji="🚀"]').click();
    const toast = alice.page.locator('[data-testid="toast"][data-code="too_large"]');
    await toast.waitFor();
    expect(await toast.textContent()).toContain("A message can have at most 20 different reactions.");
    expect(await toast.textContent()).not.toContain("too long");
  });

  it("replies, reacts and edits in a direct conversation too", async () => {
    const d = await web.daemon();
    const alice = await web.user(d);
    const bob = await web.wsUser(d, "bob");
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");
    await bob.request({ type: "dm", to: "alice", text: "lunch?" }, "ack");
    await alice.page.locator('[data-testid="dm-item"][data-user="bob"]').click();
    await sentMessages(alice.page, "lunch?").waitFor();

    await menu(alice.page, "lunch?", "react");
    await alice.page.locator('[data-testid="picker-emoji"][data-emoji="😮"]').click();
    expect(await bob.next("reaction")).toMatchObject({ from: "bob", to: "alice", emoji: "😮", user: "alice", on: true });
    await menu(alice.page, "lunch?", "reply");
    await say(alice.page, "yes, 12:30");
    const reply = await bob.next("dm");
    expect(reply).toMatchObject({ from: "alice", to: "bob", text: "yes, 12:30", replyTo: await sentMessages(alice.page, "lunch?").getAttribute("data-id") });
    await sentMessages(alice.page, "yes, 12:30").waitFor();
    await alice.page.getByTestId("composer-input").press("ArrowUp");
    await alice.page.getByTestId("composer-input").fill("yes, 12:45");
    await alice.page.getByTestId("composer-input").press("Enter");
    expect(await bob.next("edited")).toMatchObject({ id: reply.id, from: "alice", to: "bob", text: "yes, 12:45" });
    await sentMessages(alice.page, "yes, 12:45 (edited)").waitFor();
    expect(alice.errors).toEqual([]);
  });

  it("completes @names of members and highlights mentions of the reader", async () => {
    const d = await web.daemon();
    const alice = await web.tapped(d);
    const bob = await web.user(d);
    const bobby = await web.wsUser(d, "Bobby");
    await bobby.request({ type: "join", room: "general" }, "joined");
    await signIn(bob.page, "bob");
    await waitForRoom(bob.page, "general");
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");

    const input = alice.page.getByTestId("composer-input");
    await input.pressSequentially("thanks @bo");
    expect(await alice.page.getByTestId("mention-option").allTextContents()).toEqual(["@bob", "@Bobby"]);
    await screenshot(alice.page, "mention-autocomplete", "screenshot-mentions.png");
    await input.press("ArrowDown");
    await input.press("Enter"); // picks, does not send
    expect(await input.inputValue()).toBe("thanks @Bobby ");
    expect(alice.tap.sentOf("say")).toEqual([]);
    await input.pressSequentially("and @");
    await alice.page.locator('[data-testid="mention-option"][data-name="bob"]').click();
    expect(await input.inputValue()).toBe("thanks @Bobby and @bob ");
    await input.press("Enter");

    const seen = sentMessages(bob.page, "thanks @Bobby and @bob");
    await seen.waitFor();
    expect(await seen.evaluate((n) => n.classList.contains("is-mention"))).toBe(true);
    expect(await seen.locator('[data-testid="mention"]').allTextContents()).toEqual(["@Bobby", "@bob"]);
    expect(await seen.locator('[data-testid="mention"].is-me').allTextContents()).toEqual(["@bob"]);
    expect(await sentMessages(alice.page, "thanks @Bobby and @bob").evaluate((n) => n.classList.contains("is-mention"))).toBe(false);
    expect(alice.errors).toEqual([]);
  });
  it("offers @room on a bare @ however many members the room has", async () => {
    const d = await web.daemon();
    const { page } = await web.user(d);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    const offered = await page.evaluate(`(async () => {
      const { candidates } = await import("/autocomplete.js");
      const names = ["alice", ...Array.from({ length: 12 }, (_, i) => "user" + String(i).padStart(2, "0"))];
      const conv = { kind: "room", members: new Map(names.map((n) => [n, n])), items: [] };
      return { bare: candidates(conv, ""), u: candidates(conv, "u") };
    })()`);
    expect(offered).toEqual({
      bare: ["user00", "user01", "user02", "user03", "user04", "user05", "user06", "room"],
      u: ["user00", "user01", "user02", "user03", "user04", "user05", "user06", "user07"],
    });
  });
});
