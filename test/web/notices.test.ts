import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { say, signIn, waitForRoom, waitOnline, webSuite } from "../helpers/browser.ts";

/** Notices, the message of the day and the welcome line: one folded area. */

const web = webSuite({ motd: "Old motd" });
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function noticeTexts(page: Page): Promise<string[]> {
  return page.getByTestId("notice-text").allTextContents();
}

async function expand(page: Page): Promise<void> {
  const more = page.getByTestId("notices-more");
  if ((await more.getAttribute("aria-expanded")) !== "true") await more.click();
}

async function broadcast(d: Awaited<ReturnType<typeof web.daemon>>, text: string): Promise<void> {
  const res = await d.http("/admin/broadcast", { method: "POST", admin: true, body: JSON.stringify({ text }) });
  expect(res.status).toBe(200);
}

describe("notices", () => {
  it("fold into one line, never repeat, and keep only the current message of the day", async () => {
    const d = await web.daemon();
    const { page } = await web.user(d);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    await page.locator('[data-testid="notice"][data-kind="welcome"]').waitFor();

    const put = await d.http("/admin/motd", { method: "PUT", admin: true, body: JSON.stringify({ motd: "New motd" }) });
    expect(put.status).toBe(200);
    for (const text of ["First", "Second", "Third", "Second"]) await broadcast(d, text);
    await page.locator('[data-testid="notices"][data-count="5"]').waitFor();

    // Folded: one line however many there are, the newest first.
    const box = (await page.getByTestId("notices").boundingBox())!;
    expect(box.height).toBeLessThan(50);
    expect(await page.getByTestId("notice").first().textContent()).toContain("Second");
    expect(await page.getByTestId("notices-more").textContent()).toBe("+4 more");

    await expand(page);
    expect((await page.getByTestId("notices").boundingBox())!.height).toBeGreaterThan(100);
    const texts = await noticeTexts(page);
    expect(texts.filter((t) => t === "Second")).toHaveLength(1);
    expect(texts).toContain("New motd");
    expect(texts).not.toContain("Old motd");
    // One button dismisses them all.
    await page.getByTestId("notices-clear").click();
    expect(await page.getByTestId("notices").isHidden()).toBe(true);
    // A dismissed motd stays dismissed after a reload, though `welcome` brings it again.
    await page.reload();
    await waitOnline(page);
    await waitForRoom(page, "general");
    expect(await page.getByTestId("notice").count()).toBe(0);
    // A changed motd shows, and once only after a reload (it comes in `welcome` again).
    const again = await d.http("/admin/motd", { method: "PUT", admin: true, body: JSON.stringify({ motd: "Newer motd" }) });
    expect(again.status).toBe(200);
    await page.locator('[data-testid="notice"][data-kind="motd"]').getByText("Newer motd").waitFor();
    await page.reload();
    await waitOnline(page);
    await waitForRoom(page, "general");
    expect(await noticeTexts(page)).toEqual(["Newer motd"]);

    // A single notice has its own dismiss button.
    await page.getByTestId("notice").getByRole("button", { name: "Dismiss notice" }).click();
    expect(await page.getByTestId("notices").isHidden()).toBe(true);
    await page.reload();
    await waitOnline(page);
    await waitForRoom(page, "general");
    expect(await page.getByTestId("notice").count()).toBe(0);
  }, 40_000);

  it("say each kind once, with times in local words, not UTC timestamps", async () => {
    const d = await web.daemon();
    const { page, tap } = await web.tapped(d);
    await signIn(page, "alice");
    await waitForRoom(page, "general");

    const mute = await d.http("/admin/mute", { method: "POST", admin: true, body: JSON.stringify({ user: "alice", room: "general", minutes: 90 }) });
    expect(mute.status).toBe(200);
    const notice = page.locator('[data-testid="notice"][data-kind="mute"]');
    await notice.waitFor();
    // "until 23:40", or "until tomorrow 12:10 AM" late in the day.
    expect(await notice.textContent()).toMatch(/until (tomorrow )?\d{1,2}:\d{2}/);
    expect(await notice.textContent()).not.toMatch(ISO);
    await say(page, "can I talk?");
    const failed = page.locator('[data-testid="message"][data-state="failed"]');
    await failed.waitFor();
    expect(await failed.textContent()).toMatch(/You are muted in this room until .*\d{1,2}:\d{2}/);
    expect(await failed.textContent()).not.toMatch(ISO);

    // "Server restarting" once, not "Server restarting server restarting".
    tap.blocked = true;
    expect(d.daemon.request("RESTART").accepted).toBe(true);
    const restart = page.locator('[data-testid="notice"][data-kind="restart"]');
    await restart.waitFor();
    expect((await restart.textContent())!.match(/restarting/gi)).toHaveLength(1);
    expect(await d.daemon.settled()).toBe("running");
    tap.blocked = false;
    await waitOnline(page, 30_000);
    // Over once the server is back.
    await restart.waitFor({ state: "detached" });
  }, 60_000);

  it("expire by themselves", async () => {
    const d = await web.daemon();
    const { page } = await web.user(d, { setup: (p) => p.clock.install() });
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    await broadcast(d, "Maintenance soon");
    await page.locator('[data-testid="notice"][data-kind="broadcast"]').waitFor();
    await page.clock.fastForward("11:00");
    await page.locator('[data-testid="notice"][data-kind="broadcast"]').waitFor({ state: "detached" });
    await page.locator('[data-testid="notice"][data-kind="welcome"]').waitFor({ state: "detached" });
    // The message of the day stays until dismissed.
    expect(await noticeTexts(page)).toEqual(["Old motd"]);
  });
});
