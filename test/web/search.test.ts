import { describe, expect, it } from "vitest";
import { screenshot, signIn, waitForRoom, webSuite } from "../helpers/browser.ts";

/** Search on the page: Ctrl+K opens it, results grouped by room with highlights, a click opens the message in context. */

const web = webSuite({ limits: { searchesPerSecond: 50, searchBurst: 50, messagesPerSecond: 1000, messageBurst: 1000 } });

describe("search on the page", () => {
  it("finds messages with Ctrl+K, groups them by room and conversation, marks the match, and opens an old one in its history (older pages loaded back to it)", async () => {
    const d = await web.daemon();
    const bob = await web.wsUser(d, "bob");
    await bob.request({ type: "join", room: "general" }, "joined");
    await bob.request({ type: "join", room: "ops" }, "joined");
    await bob.request({ type: "say", room: "general", text: "The Café deployment is done", ref: 1 }, "ack");
    // Enough after it that the page's joined history (50) does not hold it.
    for (let i = 0; i < 60; i++) await bob.request({ type: "say", room: "general", text: `filler ${i}`, ref: `f${i}` }, "ack");
    const { page, errors } = await web.user(d);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    await bob.request({ type: "dm", to: "alice", text: "did the cafe deploy work?", ref: 2 }, "ack");
    await bob.request({ type: "say", room: "ops", text: "cafe deploy in ops, not joined by alice", ref: 3 }, "ack");

    await page.keyboard.press("Control+k");
    const dialog = page.getByTestId("search-dialog");
    await dialog.waitFor();
    await page.getByTestId("search-q").fill("cafe deplo");
    await page.getByTestId("search-q").press("Enter");
    await page.getByTestId("search-hit").first().waitFor();
    const groups = page.getByTestId("search-group");
    expect(await groups.evaluateAll((gs) => gs.map((g) => (g as HTMLElement).dataset.conv))).toEqual(["@bob", "#general"]);
    expect(await page.getByTestId("search-mark").allTextContents()).toEqual(["cafe", "deplo", "Café", "deplo"]);
    expect(await page.getByTestId("search-hit").count()).toBe(2);
    await screenshot(page, "search", "screenshot-search.png");

    // The room message is older than what the page holds: opening it loads the history around it.
    await groups.nth(1).getByTestId("search-hit").click();
    await dialog.waitFor({ state: "hidden" });
    const found = page.locator('[data-testid="message"][data-found="true"]');
    await found.waitFor();
    expect(await found.getByTestId("message-text").textContent()).toBe("The Café deployment is done");
    expect(await found.isVisible()).toBe(true);
    // Everything between it and the newest is there: older pages were loaded back to it, no gap.
    expect(await page.locator('[data-testid="message"][data-state="sent"]').count()).toBeGreaterThanOrEqual(61);

    // A direct message opens its conversation.
    await page.getByTestId("open-search").click();
    await page.getByTestId("search-q").fill("cafe deplo");
    await page.getByTestId("search-q").press("Enter");
    await page.locator('[data-testid="search-group"][data-conv="@bob"] [data-testid="search-hit"]').click();
    await page.locator('[data-testid="conv-title"][data-conv="@bob"]').waitFor();
    await page.locator('[data-testid="message"][data-found="true"]').getByText("did the cafe deploy work?").waitFor();

    // Cmd+K too; a query that matches nothing says so.
    await page.keyboard.press("Meta+k");
    await dialog.waitFor();
    await page.getByTestId("search-q").fill("zebra");
    await page.getByTestId("search-submit").click();
    await page.getByTestId("search-empty").waitFor();
    expect(errors).toEqual([]);
  });
  it("says when searches go too fast, and for how long", async () => {
    const d = await web.daemon({ limits: { searchesPerSecond: 0.05, searchBurst: 1 } });
    const { page } = await web.user(d);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    await page.keyboard.press("Control+k");
    await page.getByTestId("search-q").fill("one");
    await page.getByTestId("search-q").press("Enter");
    await page.getByTestId("search-dialog").locator(".dialog-status").getByText("Searching…").waitFor({ state: "detached" }).catch(() => {});
    await page.getByTestId("search-q").fill("two");
    await page.getByTestId("search-q").press("Enter");
    const error = page.locator('[data-testid="search-error"][data-code="rate_limited"]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/^You are searching too fast\. Try again in (19|20) s\.$/);
  });
  it("says search is not ready yet while the server builds its index", async () => {
    const d = await web.daemon();
    const { page, tap } = await web.tapped(d);
    // The server answers `unavailable` with retryAfterMs while its search index is being built.
    tap.rewrite = (f) => (f.type === "results" ? { type: "error", code: "unavailable", message: "search index is being built", retryAfterMs: 3000, ref: f.ref } : f);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    await page.keyboard.press("Control+k");
    await page.getByTestId("search-q").fill("anything");
    await page.getByTestId("search-q").press("Enter");
    const error = page.locator('[data-testid="search-error"][data-code="unavailable"]');
    await error.waitFor();
    expect(await error.textContent()).toBe("Search is not ready yet. Try again in 3 s.");
  });
});
