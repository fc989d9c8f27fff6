// docs/page.md and README "Chatting": what a newcomer does on the page, in Debian's Chromium,
// for what test/web/* does not check (the + buttons, the topic button's label, @room and
// Tab in the completion, "Not now", no menu beside one's own name).
import { describe, expect, it } from "vitest";
import { sentMessages, signIn, waitForRoom, webSuite } from "../../helpers/browser.ts";

const web = webSuite();

describe("a newcomer on the page", () => {
  it("creates the account by signing in, makes a room with + beside Rooms, and messages a user with + beside Direct messages", async () => {
    const d = await web.daemon();
    const bob = await web.wsUser(d, "bob");
    const { page, errors } = await web.user(d);
    await signIn(page, "newbie");
    await waitForRoom(page, "general");
    const users = (await (await d.http("/admin/users", { admin: true })).json()) as { registered: number };
    expect(users.registered).toBe(2);

    await page.getByTestId("open-join").click();
    await page.getByTestId("join-name").fill("brand-new");
    await page.getByTestId("join-submit").click();
    await waitForRoom(page, "brand-new");
    await page.locator('[data-testid="room-list"]').getByText("brand-new").waitFor();

    await page.getByTestId("open-dm").click();
    await page.getByTestId("dm-name").fill("bob");
    await page.getByTestId("dm-submit").click();
    // No conversation yet: the dialog asks for the first message.
    await page.getByTestId("dm-text").fill("hello bob");
    await page.getByTestId("dm-submit").click();
    const got = await bob.next("dm");
    expect(got).toMatchObject({ from: "newbie", to: "bob", text: "hello bob" });
    await page.getByTestId("conv-title").getByText("@bob").waitFor();
    await sentMessages(page, "hello bob").waitFor();
    const input = page.getByTestId("composer-input");
    await input.fill("and another");
    await input.press("Enter");
    expect(await bob.next("dm")).toMatchObject({ from: "newbie", text: "and another" });
    expect(errors).toEqual([]);
  });

  it("offers Set a topic while the room has none and Edit topic once it has one; refuses a topic over 300 characters", async () => {
    const d = await web.daemon();
    const { page } = await web.user(d);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    const button = page.getByTestId("edit-topic");
    expect(await button.textContent()).toBe("Set a topic");
    await button.click();
    const text = page.getByTestId("topic-text");
    expect(await text.getAttribute("maxlength")).toBe("300");
    await text.fill("x".repeat(300));
    await page.getByTestId("topic-submit").click();
    await page.getByTestId("topic-dialog").waitFor({ state: "hidden" });
    await expect.poll(() => button.textContent()).toBe("Edit topic");
    expect(await page.getByTestId("conv-topic").textContent()).toContain("x".repeat(300));
  });

  it("lists @room with the members after @, picks with Tab; one's own name has no ⋯ menu", async () => {
    const d = await web.daemon();
    const carol = await web.wsUser(d, "carol");
    await carol.request({ type: "join", room: "general" }, "joined");
    const { page } = await web.user(d);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    const input = page.getByTestId("composer-input");
    await input.pressSequentially("hi @");
    const names = () => page.getByTestId("mention-option").evaluateAll((els) => els.map((e) => e.getAttribute("data-name")));
    await expect.poll(names).toEqual(["carol", "room"]);
    await input.pressSequentially("ca");
    await input.press("Tab");
    expect(await input.inputValue()).toBe("hi @carol ");

    const toggle = page.getByTestId("members-toggle");
    if (await toggle.isVisible()) await toggle.click();
    await page.locator('[data-testid="member"][data-user="carol"]').waitFor();
    expect(await page.locator('[data-testid="member-menu"][data-name="carol"]').count()).toBe(1);
    expect(await page.locator('[data-testid="member-menu"][data-name="alice"]').count()).toBe(0);
  });

  it("hides the notification offer after Not now, also after a reload", async () => {
    const d = await web.daemon();
    const { page } = await web.user(d);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    const offer = page.getByTestId("notify-offer");
    await offer.waitFor();
    await page.getByTestId("notify-no").click();
    await offer.waitFor({ state: "hidden" });
    await page.reload();
    await waitForRoom(page, "general");
    await new Promise((r) => setTimeout(r, 300));
    expect(await offer.isVisible()).toBe(false);
  });
});
