import { describe, expect, it } from "vitest";
import { sentMessages, signIn, waitForRoom, waitOnline, webSuite } from "../helpers/browser.ts";

/** The "Message a user" and "Join or create a room" dialogs check before they close. */

const web = webSuite();

describe("dialogs", () => {
  it("refuses a direct message to a name with no account inside the dialog", async () => {
    const d = await web.daemon();
    const bob = await web.wsUser(d, "bob");
    await web.wsUser(d, "carol");
    const { page, tap } = await web.tapped(d);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    const dialog = page.getByTestId("dm-dialog");

    // No such user: the dialog asks for a first message, and the refusal shows in it.
    await page.getByTestId("open-dm").click();
    await page.getByTestId("dm-name").fill("nobody");
    await page.getByTestId("dm-submit").click();
    await page.getByTestId("dm-text").waitFor();
    await page.getByTestId("dm-text").fill("hello?");
    await page.getByTestId("dm-submit").click();
    const error = page.locator('[data-testid="dm-error"][data-code="unknown_user"]');
    await error.waitFor();
    expect(await error.textContent()).toBe("There is no user named “nobody”.");
    expect(await dialog.isVisible()).toBe(true);
    expect(await page.locator('[data-testid="dm-item"][data-user="nobody"]').count()).toBe(0);
    await page.keyboard.press("Escape");

    // A user with no conversation yet: the first message goes out from the dialog.
    await page.getByTestId("open-dm").click();
    await page.getByTestId("dm-name").fill("Carol");
    await page.getByTestId("dm-submit").click();
    await page.getByTestId("dm-text").fill("hi Carol");
    await page.getByTestId("dm-submit").click();
    await dialog.waitFor({ state: "hidden" });
    await page.getByTestId("conv-title").getByText("@carol").waitFor();
    await sentMessages(page, "hi Carol").waitFor();

    // A conversation on the server (from another device) opens at once.
    bob.send({ type: "dm", to: "alice", text: "from my phone" });
    await bob.next("ack");
    await page.reload();
    await waitOnline(page);
    await page.getByTestId("open-dm").click();
    await page.getByTestId("dm-name").fill("bob");
    await page.getByTestId("dm-submit").click();
    await dialog.waitFor({ state: "hidden" });
    await page.getByTestId("conv-title").getByText("@bob").waitFor();
    await sentMessages(page, "from my phone").waitFor();
    expect(tap.sentOf("dm").map((f) => f.to)).toEqual(["nobody", "Carol"]);
  }, 40_000);

  it("shows a bad or refused room name inside the join dialog", async () => {
    const d = await web.daemon({ limits: { maxRoomsPerSession: 1 } });
    const { page } = await web.user(d);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    const dialog = page.getByTestId("join-dialog");

    await page.getByTestId("open-join").click();
    await page.getByTestId("join-name").fill("no spaces please");
    await page.getByTestId("join-name").press("Enter");
    const error = page.getByTestId("join-error");
    await page.locator('[data-testid="join-error"][data-code="bad_name"]').waitFor();
    expect(await error.isVisible()).toBe(true);
    // In the dialog (the top layer), not under its backdrop: it is what a click there hits.
    expect(await error.evaluate((node) => {
      const box = node.getBoundingClientRect();
      return document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2) === node;
    })).toBe(true);

    // Refused by the server: still in the dialog, and the room is not added.
    await page.getByTestId("join-name").fill("second");
    await page.getByTestId("join-submit").click();
    await page.locator('[data-testid="join-error"][data-code="too_many_rooms"]').waitFor();
    expect(await dialog.isVisible()).toBe(true);
    expect(await page.locator('[data-testid="room-item"][data-room="second"]').count()).toBe(0);
    await page.keyboard.press("Escape");
    await waitForRoom(page, "general");
  });
  it("says in the join dialog that rooms are being created too fast, and for how long", async () => {
    const d = await web.daemon({ limits: { userRoomBurst: 1, userRoomsPerHour: 1 } });
    const { page } = await web.user(d);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    await page.getByTestId("open-join").click();
    await page.getByTestId("join-name").fill("first");
    await page.getByTestId("join-name").press("Enter");
    await waitForRoom(page, "first");

    await page.getByTestId("open-join").click();
    await page.getByTestId("join-name").fill("second");
    await page.getByTestId("join-name").press("Enter");
    const error = page.locator('[data-testid="join-error"][data-code="rate_limited"]');
    await error.waitFor();
    // One new room an hour: the wait is about an hour, and it is about rooms, not messages.
    expect(await error.textContent()).toMatch(/^You are joining or creating rooms too fast\. Try again in (1 h|59 min)\.$/);
  });
});
