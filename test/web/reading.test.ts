import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { joinRoom, screenshot, sentMessages, signIn, waitForRoom, webSuite } from "../helpers/browser.ts";

/** Read markers, the "new messages" line, unread and mention badges across devices, desktop notifications. */

const web = webSuite();

const badge = (page: Page, room: string, kind: "unread" | "mention-badge") => page.locator(`[data-testid="room-item"][data-room="${room}"] [data-testid="${kind}"]`);

async function openRoom(page: Page, room: string): Promise<void> {
  const toggle = page.getByTestId("sidebar-toggle");
  if (await toggle.isVisible()) await toggle.click();
  await page.locator(`[data-testid="room-item"][data-room="${room}"]`).click();
  await waitForRoom(page, room);
}

describe("reading in the page", () => {
  it("shows the same unread and mention badges on every device, and a new-messages line at the read marker", async () => {
    const d = await web.daemon({ rooms: ["general", "random"] });
    const first = await web.tapped(d);
    await signIn(first.page, "alice");
    await waitForRoom(first.page, "general");
    await joinRoom(first.page, "random");
    const bob = await web.wsUser(d, "bob");
    await bob.request({ type: "join", room: "random" }, "joined");
    await bob.request({ type: "say", room: "random", text: "read before" }, "ack");
    await sentMessages(first.page, "read before").waitFor();
    await expect.poll(() => first.tap.sentOf("read").length).toBe(1); // seen, so read: the marker moves
    await openRoom(first.page, "general"); // random is read up to "read before"

    await bob.request({ type: "say", room: "random", text: "new one" }, "ack");
    await bob.request({ type: "say", room: "random", text: "@alice can you look?" }, "ack");
    await bob.request({ type: "say", room: "random", text: "new three" }, "ack");
    await badge(first.page, "random", "unread").getByText("3").waitFor();
    await badge(first.page, "random", "mention-badge").getByText("@1").waitFor();

    // Another device: the badges come with welcome, the same.
    const second = await web.tapped(d);
    await signIn(second.page, "alice");
    await badge(second.page, "random", "unread").getByText("3").waitFor();
    await badge(second.page, "random", "mention-badge").getByText("@1").waitFor();

    // Reading there draws the line at the marker and clears the badges here too.
    await openRoom(second.page, "random");
    const line = second.page.getByTestId("unread-line");
    await line.waitFor();
    const after = await line.evaluate((node) => {
      let next = node.nextElementSibling as HTMLElement | null;
      while (next && next.dataset.testid !== "message") next = next.nextElementSibling as HTMLElement | null;
      return next?.textContent ?? "";
    });
    expect(after).toContain("new one");
    await screenshot(second.page, "unread-line", "screenshot-unread.png");
    await expect.poll(() => second.tap.sentOf("read").at(-1)).toMatchObject({ type: "read", room: "random" });
    await badge(first.page, "random", "unread").waitFor({ state: "detached" });
    await badge(first.page, "random", "mention-badge").waitFor({ state: "detached" });
    expect(first.errors).toEqual([]);
    expect(second.errors).toEqual([]);
  });

  it("notifies (once asked politely) only when the tab is hidden and the message mentions us or is direct", async () => {
    const d = await web.daemon();
    const alice = await web.user(d, {
      setup: (page) =>
        page.addInitScript(() => {
          const w = window as unknown as { __notes: string[]; __hidden: boolean; Notification: unknown };
          w.__notes = [];
          w.__hidden = false;
          class FakeNotification {
            static permission = "default";
            static async requestPermission() {
              FakeNotification.permission = "granted";
              return "granted";
            }
            onclick: (() => void) | null = null;
            constructor(title: string, options: { body?: string }) {
              w.__notes.push(`${title}: ${options.body ?? ""}`);
            }
            close() {}
          }
          w.Notification = FakeNotification;
          Object.defineProperty(document, "hidden", { get: () => w.__hidden });
          Object.defineProperty(document, "visibilityState", { get: () => (w.__hidden ? "hidden" : "visible") });
        }),
    });
    const notes = () => alice.page.evaluate(() => (window as unknown as { __notes: string[] }).__notes);
    const setHidden = (hidden: boolean) =>
      alice.page.evaluate((h) => {
        (window as unknown as { __hidden: boolean }).__hidden = h;
        document.dispatchEvent(new Event("visibilitychange"));
      }, hidden);
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");
    // Nothing is asked on load: the offer waits for a yes.
    await alice.page.getByTestId("notify-offer").waitFor();
    await screenshot(alice.page, "notify-offer");
    await alice.page.getByTestId("notify-yes").click();
    await alice.page.getByTestId("notify-offer").waitFor({ state: "hidden" });

    const bob = await web.wsUser(d, "bob");
    await bob.request({ type: "join", room: "general" }, "joined");
    await bob.request({ type: "say", room: "general", text: "@alice visible tab" }, "ack");
    await sentMessages(alice.page, "@alice visible tab").waitFor();
    await setHidden(true);
    await bob.request({ type: "say", room: "general", text: "just chatting" }, "ack");
    await bob.request({ type: "say", room: "general", text: "@alice are you there?" }, "ack");
    await bob.request({ type: "dm", to: "alice", text: "psst" }, "ack");
    await sentMessages(alice.page, "@alice are you there?").waitFor();
    await alice.page.locator('[data-testid="dm-item"][data-user="alice"], [data-testid="dm-item"][data-user="bob"]').first().waitFor();
    await expect.poll(notes).toEqual(["bob in #general: @alice are you there?", "bob (direct message): psst"]);
    // Back in the tab: the line marks what came while it was hidden.
    await setHidden(false);
    await alice.page.locator('[data-testid="unread-line"] + [data-testid="group-head"] + [data-testid="message"]').getByText("just chatting").waitFor();
    expect(alice.errors).toEqual([]);
  });
});
