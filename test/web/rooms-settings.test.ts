import { describe, expect, it } from "vitest";
import { MOBILE, joinRoom, screenshot, signIn, waitForRoom, webSuite } from "../helpers/browser.ts";

/** The topic in the room header, "Browse rooms" (live), and the settings panel's password change. */

const web = webSuite();

describe("rooms and settings in the page", () => {
  it("shows the topic in the header and lets members edit it; every member sees it", async () => {
    const d = await web.daemon();
    const alice = await web.user(d);
    const bob = await web.user(d, { viewport: MOBILE, isMobile: true });
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");
    await signIn(bob.page, "bob");
    await waitForRoom(bob.page, "general");
    expect(await alice.page.getByTestId("conv-topic").textContent()).toBe("No topic");

    await alice.page.getByTestId("edit-topic").click();
    await alice.page.getByTestId("topic-text").fill("Release on Friday — notes in #docs");
    await alice.page.getByTestId("topic-submit").click();
    await alice.page.getByTestId("topic-dialog").waitFor({ state: "hidden" });
    await alice.page.getByTestId("conv-topic").getByText("Release on Friday — notes in #docs").waitFor();
    await bob.page.getByTestId("conv-topic").getByText("Release on Friday").waitFor();
    await screenshot(bob.page, "topic-mobile", "screenshot-topic-mobile.png");

    // Over 300 characters is refused in the dialog, nothing sent.
    await alice.page.getByTestId("edit-topic").click();
    await alice.page.getByTestId("topic-text").evaluate((input) => input.removeAttribute("maxlength")); // the dialog checks too
    await alice.page.getByTestId("topic-text").fill("x".repeat(301));
    await alice.page.getByTestId("topic-submit").click();
    await alice.page.locator('[data-testid="topic-error"][data-code="too_large"]').waitFor();
    await alice.page.keyboard.press("Escape");

    // A new device sees it at once (joined.topic).
    const again = await web.user(d);
    await signIn(again.page, "alice");
    await again.page.getByTestId("conv-topic").getByText("Release on Friday").waitFor();
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  });

  it("marks the room's operators and lets an operator lock the topic; the others then cannot edit it (issue 21)", async () => {
    const d = await web.daemon();
    const alice = await web.user(d);
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");
    await joinRoom(alice.page, "den");
    const bob = await web.wsUser(d, "bob");
    await bob.request({ type: "join", room: "den" }, "joined");
    // alice created #den: she is its operator, marked @ in the member list.
    await alice.page.locator('[data-testid="member"][data-user="alice"] [data-testid="member-role"]').getByText("@").waitFor();
    await alice.page.getByTestId("topic-lock").getByText("Lock topic").click();
    expect(await bob.next("mode")).toMatchObject({ room: "den", mode: "topicLock", on: true, by: "alice" });
    await alice.page.getByTestId("topic-locked").waitFor();
    await alice.page.getByTestId("topic-lock").getByText("Unlock topic").waitFor();
    expect(await bob.request({ type: "topic", room: "den", text: "mine", ref: "t" }, "error")).toMatchObject({ code: "forbidden" });
    // bob, no operator, cannot make himself one.
    bob.send({ type: "mode", room: "den", mode: "operator", on: true, user: "bob" });
    expect(await bob.next("error")).toMatchObject({ code: "forbidden" });
    expect(alice.errors).toEqual([]);
  });

  it("says the topic is locked when it was locked while the dialog was open", async () => {
    const d = await web.daemon();
    const bob = await web.wsUser(d, "bob");
    await bob.request({ type: "join", room: "den" }, "joined"); // bob creates #den: its operator
    const alice = await web.user(d);
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");
    await joinRoom(alice.page, "den");
    await alice.page.getByTestId("edit-topic").click();
    await alice.page.getByTestId("topic-text").fill("mine now");
    expect(await bob.request({ type: "mode", room: "den", mode: "topicLock", on: true, ref: "m1" }, "ack", "error")).toMatchObject({ type: "ack" });
    await alice.page.getByTestId("topic-submit").click();
    const error = alice.page.locator('[data-testid="topic-error"][data-code="forbidden"]');
    await error.waitFor();
    expect(await error.textContent()).toBe("The topic of #den is locked: only the room's operators (and moderators and admins) may change it.");
  });

  it("browses the room directory, searches it, and follows new rooms and topics live", async () => {
    const d = await web.daemon({ rooms: ["general", "random"] });
    const alice = await web.user(d);
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");
    await alice.page.getByTestId("open-browse").click();
    const names = () => alice.page.getByTestId("dir-room").evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.room));
    await expect.poll(names).toEqual(["general", "random"]);

    // Someone creates a room and sets a topic: the open list follows, unasked.
    const bob = await web.wsUser(d, "bob");
    await bob.request({ type: "join", room: "design" }, "joined");
    await expect.poll(names).toEqual(["design", "general", "random"]);
    bob.send({ type: "topic", room: "design", text: "Mockups and reviews" });
    await alice.page.locator('[data-testid="dir-room"][data-room="design"] [data-testid="dir-topic"]').getByText("Mockups and reviews").waitFor();
    await screenshot(alice.page, "browse-rooms", "screenshot-browse.png");

    await alice.page.getByTestId("rooms-query").fill("des");
    await expect.poll(names).toEqual(["design"]);
    await alice.page.locator('[data-testid="dir-open"][data-room="design"]').click();
    await waitForRoom(alice.page, "design");
    await alice.page.getByTestId("conv-topic").getByText("Mockups and reviews").waitFor();
    expect(alice.errors).toEqual([]);
  });

  it("pages through a long directory with More rooms", async () => {
    const d = await web.daemon({ limits: { userRoomBurst: 100, ipRoomBurst: 100 } });
    const bob = await web.wsUser(d, "bob");
    for (let i = 0; i < 55; i++) {
      const answer = await bob.request({ type: "join", room: `room-${String(i).padStart(2, "0")}` }, "joined", "error");
      expect(answer.type).toBe("joined");
    }
    const alice = await web.user(d);
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");
    await alice.page.getByTestId("open-browse").click();
    const rows = alice.page.getByTestId("dir-room");
    await expect.poll(() => rows.count()).toBe(50);
    await alice.page.getByTestId("rooms-more").click();
    await expect.poll(() => rows.count()).toBe(56); // general and the 55
    expect(await alice.page.getByTestId("rooms-more").isHidden()).toBe(true);
    expect(await rows.last().getAttribute("data-room")).toBe("room-54");
    // The server pushes the directory's first page when a topic changes: the pages loaded stay.
    await bob.request({ type: "topic", room: "room-00", text: "Pushed" }, "topic");
    await alice.page.getByTestId("dir-room").filter({ hasText: "Pushed" }).waitFor({ timeout: 10_000 });
    expect(await rows.count()).toBe(56);
    expect(await rows.last().getAttribute("data-room")).toBe("room-54");
    expect(alice.errors).toEqual([]);
  });

  it("changes the password in the settings panel; other devices are signed out, this one stays", async () => {
    const d = await web.daemon();
    const here = await web.user(d, { viewport: MOBILE, isMobile: true });
    const there = await web.user(d);
    await signIn(here.page, "alice");
    await waitForRoom(here.page, "general");
    await signIn(there.page, "alice");
    await waitForRoom(there.page, "general");
    await joinRoom(there.page, "random");

    await here.page.getByTestId("open-settings").click();
    await here.page.getByTestId("settings-old").fill("wrong-password");
    await here.page.getByTestId("settings-new").fill("a-new-secret");
    await here.page.getByTestId("settings-confirm").fill("a-new-secret");
    await here.page.getByTestId("settings-submit").click();
    await here.page.locator('[data-testid="settings-error"][data-code="auth_failed"]').waitFor();
    await here.page.getByTestId("settings-old").fill("password123");
    await here.page.getByTestId("settings-confirm").fill("a-new-secreT");
    await here.page.getByTestId("settings-submit").click();
    await here.page.locator('[data-testid="settings-error"][data-code="mismatch"]').waitFor();
    await here.page.getByTestId("settings-confirm").fill("a-new-secret");
    await screenshot(here.page, "settings-mobile", "screenshot-settings-mobile.png");
    await here.page.getByTestId("settings-submit").click();
    await here.page.locator('[data-testid="toast"][data-code="password-changed"]').waitFor();

    // The other device is signed out and says why; the new password works there.
    await there.page.getByTestId("signin-screen").waitFor();
    await there.page.getByTestId("signin-status").getByText("Your password was changed").waitFor();
    await signIn(there.page, "alice", "a-new-secret");
    // This device kept going with its new token, also after a reload.
    await here.page.reload();
    await waitForRoom(here.page, "general");
    expect(here.errors).toEqual([]);
  });
});
