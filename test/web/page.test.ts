import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { startDaemon, type TestDaemon } from "../helpers/daemon.ts";
import { signIn as wsSignIn, TestClient } from "../helpers/client.ts";
import {
  DESKTOP,
  MOBILE,
  WsTap,
  anyMessages,
  joinRoom,
  launchBrowser,
  openPage,
  say,
  screenshot,
  sentMessages,
  signIn,
  waitForRoom,
  waitOnline,
  type BrowserUser,
} from "../helpers/browser.ts";

/**
 * The embedded web client (src/web/), driven in a real Chromium against a
 * real daemon. Selectors are the page's data-testid attributes.
 */

const XSS_IMG = "<img src=x onerror=window.__xss=1>";
const XSS_SCRIPT = "<script>window.__xss=1</script>";

let browser: Browser;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  // Contexts first (they hold sockets), then the daemon.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function daemon(overrides: Parameters<typeof startDaemon>[0] = {}): Promise<TestDaemon> {
  const d = await startDaemon({
    name: "Harbor Chat",
    motd: "Be kind; messages are logged.",
    welcome: "Pick a name and a password: the first sign-in creates your account.",
    rooms: ["general", "random"],
    ...overrides,
  });
  cleanups.push(() => d.close());
  return d;
}

async function user(d: TestDaemon, options: Parameters<typeof openPage>[2] = {}): Promise<BrowserUser> {
  const u = await openPage(browser, d.url, options);
  cleanups.push(() => u.context.close());
  return u;
}

async function wsUser(d: TestDaemon, name: string): Promise<TestClient> {
  const { client } = await wsSignIn(d.wsUrl, name);
  cleanups.push(() => client.close());
  return client;
}

function messageStates(page: Page, text: string): Promise<string[]> {
  return anyMessages(page, text).evaluateAll((nodes) => nodes.map((n) => (n as HTMLElement).dataset.state ?? ""));
}

describe("web client", () => {
  it("serves the page with its CSP and no inline script", async () => {
    const d = await daemon();
    const res = await d.http("/");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/app.js"></script>');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every script is external
    expect(html).not.toMatch(/\sstyle=/); // no inline style attributes
    expect(html).not.toMatch(/\son[a-z]+=/i); // no inline event handlers
    // Every module the entry imports, and theirs, is served as JavaScript with the same headers.
    const seen = new Set<string>();
    const queue = ["/app.js"];
    while (queue.length > 0) {
      const path = queue.shift()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const res = await d.http(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toBe("text/javascript; charset=utf-8");
      expect(res.headers.get("content-security-policy"), path).toContain("script-src 'self'");
      const js = await res.text();
      expect(js, path).not.toMatch(/\.innerHTML\s*=|insertAdjacentHTML|outerHTML\s*=|document\.write|\beval\(|new Function/);
      for (const [, spec] of js.matchAll(/^import[^"']*["'](\.\/[^"']+)["']/gm)) queue.push(new URL(spec!, `http://x${path}`).pathname);
    }
    expect(seen.size).toBeGreaterThan(5);
  });

  it("lets two people sign up, join a room and chat both ways", async () => {
    const d = await daemon();
    const alice = await user(d);
    const bob = await user(d);

    // The sign-in page; the first sign-in creates the account and says so.
    await signIn(alice.page, "alice");
    await alice.page.locator('[data-testid="notice"][data-kind="welcome"]').getByText("was created").waitFor();
    expect(await alice.page.getByTestId("server-name").textContent()).toBe("Harbor Chat");
    await alice.page.getByTestId("notices-more").click();
    expect(await alice.page.locator('[data-testid="notice"][data-kind="motd"] [data-testid="notice-text"]').textContent()).toBe(
      "Be kind; messages are logged.",
    );
    await alice.page.getByTestId("notices-more").click();
    // The default room (first of welcome.rooms) is joined automatically; the other is listed.
    await waitForRoom(alice.page, "general");
    await alice.page.locator('[data-testid="room-item"][data-room="random"]').waitFor();

    await signIn(bob.page, "bob");
    await waitForRoom(bob.page, "general");

    // Presence: alice sees bob arrive in the member list, live.
    await alice.page.locator('[data-testid="member"][data-user="bob"]').waitFor();
    expect(await bob.page.getByTestId("member").allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining("alice")]));

    // Both ways in the default room.
    await say(alice.page, "Hi Bob! Notes are at https://example.com/notes.");
    await sentMessages(bob.page, "Hi Bob! Notes are at https://example.com/notes.").waitFor();
    await say(bob.page, "Hey Alice, thanks");
    await sentMessages(alice.page, "Hey Alice, thanks").waitFor();
    // New messages are announced to screen readers.
    await alice.page.getByTestId("announcer").getByText("bob in #general: Hey Alice, thanks").waitFor();
    // A new message does not redraw the ones already there (a text selection survives).
    await alice.page.getByTestId("message").first().evaluate((node) => ((node as HTMLElement & { __seen?: boolean }).__seen = true));
    await say(bob.page, "Reading them now.");
    await sentMessages(alice.page, "Reading them now.").waitFor();
    expect(await alice.page.getByTestId("message").first().evaluate((node) => (node as HTMLElement & { __seen?: boolean }).__seen)).toBe(true);
    // Consecutive messages of one author form one group with one header.
    expect(await alice.page.locator('[data-testid="group-head"][data-from="bob"]').count()).toBe(1);
    expect(await alice.page.locator('[data-testid="message"][data-from="bob"]').count()).toBe(2);
    expect(await alice.page.getByTestId("day-separator").first().textContent()).toBe("Today");

    // Typing indicator.
    await bob.page.getByTestId("composer-input").pressSequentially("one mo");
    await alice.page.getByTestId("typing").getByText("bob is typing").waitFor();

    // Shift+Enter makes a new line, Enter sends.
    const input = alice.page.getByTestId("composer-input");
    await input.fill("line one");
    await input.press("Shift+Enter");
    await input.pressSequentially("line two");
    await input.press("Enter");
    await sentMessages(bob.page, "line one\nline two").waitFor();

    // Create a new room and meet there.
    await joinRoom(alice.page, "design-review");
    await joinRoom(bob.page, "design-review");
    await alice.page.locator('[data-testid="member"][data-user="bob"]').waitFor();
    await say(bob.page, "Mockups go here");
    await sentMessages(alice.page, "Mockups go here").waitFor();
    // A message in a room not on screen counts as unread.
    await alice.page.locator('[data-testid="room-item"][data-room="general"]').click();
    await waitForRoom(alice.page, "general");
    await say(bob.page, "ping from design-review");
    await alice.page.locator('[data-testid="room-item"][data-room="design-review"] [data-testid="unread"]').getByText("1").waitFor();
    // Member counts in the room list.
    expect(await alice.page.locator('[data-testid="room-item"][data-room="general"] [data-testid="room-members"]').textContent()).toBe("2");

    // Leave.
    await bob.page.getByTestId("leave").click();
    await alice.page.locator('[data-testid="room-item"][data-room="design-review"] [data-testid="room-members"]').getByText("1").waitFor();

    await alice.page.getByTestId("composer-input").fill("");
    await alice.page.getByTestId("composer-input").blur();
    await screenshot(alice.page, "desktop-chat", "screenshot-desktop.png");
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  }, 40_000); // a long scenario: two browsers, ~60 steps

  it("keeps the conversation after a reload by resuming with the token, and signs out", async () => {
    const d = await daemon();
    const alice = await user(d);
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");
    await say(alice.page, "before the reload");
    await sentMessages(alice.page, "before the reload").waitFor();
    await joinRoom(alice.page, "projects");
    await say(alice.page, "in projects");
    await sentMessages(alice.page, "in projects").waitFor();

    const token = await alice.page.evaluate(() => localStorage.getItem("chatd:v1:token"));
    expect(token).toBeTruthy();

    await alice.page.reload();
    // No password typed: the token signs back in, and both rooms come back.
    await waitOnline(alice.page);
    expect(await alice.page.getByTestId("signin-screen").isHidden()).toBe(true);
    await waitForRoom(alice.page, "projects");
    await sentMessages(alice.page, "in projects").waitFor();
    await alice.page.locator('[data-testid="room-item"][data-room="general"]').click();
    await waitForRoom(alice.page, "general");
    await sentMessages(alice.page, "before the reload").waitFor();
    expect(await anyMessages(alice.page, "before the reload").count()).toBe(1);

    // Sign out: the token is revoked and forgotten.
    await alice.page.getByTestId("signout").click();
    await alice.page.getByTestId("signin-screen").waitFor();
    expect(await alice.page.evaluate(() => localStorage.getItem("chatd:v1:token"))).toBeNull();
    // The server revokes the token when it handles the logout: poll, it is asynchronous.
    await expect
      .poll(async () => (await helloWithToken(d, JSON.parse(token!) as string)).code, { timeout: 5000 })
      .toBe("auth_failed");
    await alice.page.reload();
    await alice.page.getByTestId("signin-screen").waitFor();

    // The sign-in page remembers the server's welcome text.
    expect(await alice.page.getByTestId("signin-welcome").textContent()).toContain("first sign-in creates");
    // Signing in again with the password is not "created".
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");
    expect(await alice.page.locator('[data-testid="notice"][data-kind="welcome"]').count()).toBe(0);
    expect(alice.errors).toEqual([]);
  });

  it("forgets a token the server refuses and shows the sign-in form", async () => {
    const d = await daemon();
    const alice = await user(d);
    await alice.page.evaluate(() => localStorage.setItem("chatd:v1:token", JSON.stringify("YWxpY2U.not-a-real-token")));
    await alice.page.reload();
    await alice.page.getByTestId("signin-screen").waitFor();
    await expect.poll(() => alice.page.evaluate(() => localStorage.getItem("chatd:v1:token"))).toBeNull();
    expect(await alice.page.getByTestId("signin-status").textContent()).toContain("sign in again");
  });

  it("shows sign-in errors as readable messages", async () => {
    const d = await daemon();
    const alice = await user(d);
    await alice.page.getByTestId("signin-name").fill("alice");
    await alice.page.getByTestId("signin-password").fill("short");
    await alice.page.getByTestId("signin-submit").click();
    const error = alice.page.getByTestId("signin-error");
    await alice.page.locator('[data-testid="signin-error"][data-code="bad_password"]').waitFor();
    expect(await error.textContent()).toContain("at least 8 characters");

    await wsUser(d, "bob");
    await alice.page.getByTestId("signin-name").fill("bob");
    await alice.page.getByTestId("signin-password").fill("wrong-password");
    await alice.page.getByTestId("signin-submit").click();
    await alice.page.locator('[data-testid="signin-error"][data-code="auth_failed"]').waitFor();
    expect(await error.textContent()).toBe("Wrong name or password.");
  });

  it("renders hostile names and messages as text, never as HTML", async () => {
    const d = await daemon();
    const mallory = await user(d);

    // A user name with markup is refused by the server, and the page says why.
    await mallory.page.getByTestId("signin-name").fill("<b>x</b>");
    await mallory.page.getByTestId("signin-password").fill("password123");
    await mallory.page.getByTestId("signin-submit").click();
    await mallory.page.locator('[data-testid="signin-error"][data-code="bad_name"]').waitFor();
    expect(await mallory.page.getByTestId("signin-error").textContent()).toContain("That name is not allowed");
    expect(await mallory.page.locator("#signin-screen b").count()).toBe(0);

    await signIn(mallory.page, "mallory");
    await waitForRoom(mallory.page, "general");
    const victim = await user(d);
    await signIn(victim.page, "victim");
    await waitForRoom(victim.page, "general");

    await say(mallory.page, XSS_IMG);
    await say(mallory.page, XSS_SCRIPT);
    await say(mallory.page, `<a href="javascript:window.__xss=1">click</a> & "quotes"`);
    for (const page of [mallory.page, victim.page]) {
      await sentMessages(page, XSS_IMG).waitFor();
      await sentMessages(page, XSS_SCRIPT).waitFor();
      await sentMessages(page, `<a href="javascript:window.__xss=1">click</a> & "quotes"`).waitFor();
      const timeline = page.getByTestId("timeline");
      expect(await timeline.locator("img, script, b").count()).toBe(0);
      expect(await timeline.locator("a").count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    }
    // A room name with markup is refused before it reaches the server.
    await mallory.page.getByTestId("open-join").click();
    await mallory.page.getByTestId("join-name").fill("<script>x</script>");
    await mallory.page.getByTestId("join-name").press("Enter");
    await mallory.page.locator('[data-testid="join-error"][data-code="bad_name"]').waitFor();
    await mallory.page.keyboard.press("Escape"); // Esc closes the dialog
    await mallory.page.getByTestId("join-dialog").waitFor({ state: "hidden" });
    expect(await mallory.page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(mallory.errors).toEqual([]);
    expect(victim.errors).toEqual([]);
  });

  it("makes http(s) links clickable and leaves other schemes as text", async () => {
    const d = await daemon();
    const alice = await user(d);
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");
    await say(alice.page, "see https://example.com, or javascript:alert(1) or (http://example.org/a_(b))");
    const message = sentMessages(alice.page, "see https://example.com, or javascript:alert(1) or (http://example.org/a_(b))");
    await message.waitFor();
    const links = message.locator("a");
    expect(await links.count()).toBe(2);
    const first = links.first();
    expect(await first.getAttribute("href")).toBe("https://example.com/");
    expect(await first.textContent()).toBe("https://example.com");
    expect(await first.getAttribute("rel")).toBe("noopener noreferrer");
    expect(await first.getAttribute("target")).toBe("_blank");
    expect(await links.nth(1).getAttribute("href")).toBe("http://example.org/a_(b)");

    await say(alice.page, "javascript:alert(document.cookie)");
    const js = sentMessages(alice.page, "javascript:alert(document.cookie)");
    await js.waitFor();
    expect(await js.locator("a").count()).toBe(0);
  });

  it("reconnects after a daemon restart and fills the gap exactly once", async () => {
    const d = await daemon();
    let tap!: WsTap;
    const alice = await user(d, { setup: async (page) => (tap = await WsTap.attach(page)) });
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");
    const bob = await wsUser(d, "bob");
    await bob.request({ type: "join", room: "general" }, "joined");
    bob.send({ type: "say", room: "general", text: "before the restart" });
    await bob.next("ack");
    await sentMessages(alice.page, "before the restart").waitFor();

    // Restart while the page cannot get back in, and have bob talk meanwhile.
    tap.blocked = true;
    expect(d.daemon.request("RESTART").accepted).toBe(true);
    await alice.page.locator('[data-testid="conn-status"]:is([data-state="reconnecting"], [data-state="connecting"])').waitFor();
    await alice.page.locator('[data-testid="notice"][data-kind="restart"]').waitFor();
    expect(await d.daemon.settled()).toBe("running");
    const bob2 = await wsUser(d, "bob");
    await bob2.request({ type: "join", room: "general" }, "joined");
    bob2.send({ type: "say", room: "general", text: "while you were away" });
    await bob2.next("ack");
    // Alice writes while offline: it waits, then goes out after the reconnect.
    await say(alice.page, "typed while offline");
    expect(await messageStates(alice.page, "typed while offline")).toEqual(["pending"]);

    const joinsBefore = tap.sentOf("join").length;
    tap.blocked = false; // the page's own backoff brings it back
    await waitOnline(alice.page, 30_000);
    await sentMessages(alice.page, "while you were away").waitFor();
    await sentMessages(alice.page, "typed while offline").waitFor();
    const rejoin = tap.sentOf("join").slice(joinsBefore).at(-1);
    expect(rejoin).toMatchObject({ type: "join", room: "general", since: expect.stringMatching(/^\d{13}-\d{6}$/) });
    expect(await anyMessages(alice.page, "while you were away").count()).toBe(1);
    expect(await anyMessages(alice.page, "before the restart").count()).toBe(1);
    expect(await anyMessages(alice.page, "typed while offline").count()).toBe(1);
    expect(await alice.page.getByTestId("gap-marker").count()).toBe(0);
    const heard = await bob2.next("message");
    expect(heard).toMatchObject({ from: "alice", text: "typed while offline" });
    expect(alice.errors).toEqual([]);
  }, 60_000);

  it("marks a gap when more was missed than the server keeps", async () => {
    const d = await daemon({ limits: { historyPerRoom: 3 } });
    let tap!: WsTap;
    const alice = await user(d, { setup: async (page) => (tap = await WsTap.attach(page)) });
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");
    const bob = await wsUser(d, "bob");
    await bob.request({ type: "join", room: "general" }, "joined");
    bob.send({ type: "say", room: "general", text: "seen 1" });
    await sentMessages(alice.page, "seen 1").waitFor();

    tap.blocked = true;
    await tap.drop();
    await alice.page.locator('[data-testid="conn-status"]:is([data-state="reconnecting"], [data-state="connecting"])').waitFor();
    for (let i = 1; i <= 5; i++) {
      bob.send({ type: "say", room: "general", text: `missed ${i}` });
      await bob.next("ack");
    }
    tap.blocked = false;
    await waitOnline(alice.page, 30_000);
    await alice.page.getByTestId("gap-marker").waitFor();
    await sentMessages(alice.page, "missed 5").waitFor();
    // The timeline was reloaded from what the server keeps: the newest three.
    expect(await alice.page.getByTestId("message-text").allTextContents()).toEqual(["missed 3", "missed 4", "missed 5"]);
  }, 60_000);

  it("shows an own message as pending until its ack, and offers a retry when it fails", async () => {
    const d = await daemon({ limits: { messageBurst: 1, messagesPerSecond: 0.5 } });
    let tap!: WsTap;
    const alice = await user(d, { setup: async (page) => (tap = await WsTap.attach(page)) });
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");

    // Hold the server's answers: the message stays pending on screen.
    tap.holdTypes.add("ack").add("message");
    await say(alice.page, "wait for it");
    await anyMessages(alice.page, "wait for it").waitFor();
    expect(await messageStates(alice.page, "wait for it")).toEqual(["pending"]);
    expect(await alice.page.getByTestId("message-status").textContent()).toBe("Sending…");
    tap.release();
    await sentMessages(alice.page, "wait for it").waitFor();
    expect(await messageStates(alice.page, "wait for it")).toEqual(["sent"]);
    expect(await alice.page.locator('[data-testid="message"][data-state="sent"]').first().getAttribute("data-id")).toMatch(
      /^\d{13}-\d{6}$/,
    );

    // Over the rate limit (one message per 2 s): failed, a readable reason, and a retry button.
    await say(alice.page, "two");
    const failed = alice.page.locator('[data-testid="message"][data-state="failed"]');
    await failed.waitFor();
    expect(await failed.getByTestId("message-status").textContent()).toContain("too fast");
    await alice.page.locator('[data-testid="toast"][data-code="rate_limited"]').waitFor();
    await expect
      .poll(
        async () => {
          const state = await failed.count();
          if (state > 0) await failed.getByTestId("retry").first().click();
          return sentMessages(alice.page, "two").count();
        },
        { timeout: 10_000, interval: 600 },
      )
      .toBe(1);
    expect(await anyMessages(alice.page, "two").count()).toBe(1);
  });

  it("starts direct messages from the member list", async () => {
    const d = await daemon();
    const alice = await user(d);
    const bob = await user(d);
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");
    await signIn(bob.page, "Bob");
    await waitForRoom(bob.page, "general");

    await alice.page.locator('[data-testid="member"][data-user="bob"]').click();
    await alice.page.getByTestId("conv-title").getByText("@Bob").waitFor();
    await say(alice.page, "psst, a secret");
    await sentMessages(alice.page, "psst, a secret").waitFor();

    // Bob is in #general: the DM shows up in the sidebar with an unread count.
    const dmItem = bob.page.locator('[data-testid="dm-item"][data-user="alice"]');
    await dmItem.locator('[data-testid="unread"]').getByText("1").waitFor();
    await dmItem.click();
    await sentMessages(bob.page, "psst, a secret").waitFor();
    await say(bob.page, "secret received");
    await sentMessages(alice.page, "secret received").waitFor();

    // The conversation is loaded from dm_history after a reload.
    await bob.page.reload();
    await waitOnline(bob.page);
    await bob.page.getByTestId("conv-title").getByText("@alice").waitFor();
    await sentMessages(bob.page, "psst, a secret").waitFor();
    await sentMessages(bob.page, "secret received").waitFor();

  });

  it("loads older history when scrolling up", async () => {
    const d = await daemon({ limits: { historyOnJoin: 20, messageBurst: 100, messagesPerSecond: 1000 } });
    const bob = await wsUser(d, "bob");
    await bob.request({ type: "join", room: "general" }, "joined");
    for (let i = 1; i <= 45; i++) {
      bob.send({ type: "say", room: "general", text: `history ${i}` });
      await bob.next("ack");
    }
    const alice = await user(d);
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");
    await sentMessages(alice.page, "history 45").waitFor();
    expect(await alice.page.getByTestId("message").count()).toBe(20);
    // Scroll to the top until the beginning of the room is reached.
    await expect
      .poll(
        async () => {
          await alice.page.getByTestId("timeline").evaluate((node) => {
            node.scrollTop = 0;
            node.dispatchEvent(new Event("scroll"));
          });
          return alice.page.getByTestId("timeline-start").count();
        },
        { timeout: 10_000 },
      )
      .toBe(1);
    const texts = await alice.page.getByTestId("message-text").allTextContents();
    expect(texts).toEqual(Array.from({ length: 45 }, (_, i) => `history ${i + 1}`));
  });

  it("shows server notices distinctly", async () => {
    const d = await daemon();
    const alice = await user(d);
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");
    const res = await d.http("/admin/broadcast", { method: "POST", admin: true, body: JSON.stringify({ text: "Maintenance at 22:00 UTC" }) });
    expect(res.status).toBe(200);
    const notice = alice.page.locator('[data-testid="notice"][data-kind="broadcast"]');
    await notice.getByText("Maintenance at 22:00 UTC").waitFor();
    // Not part of the conversation.
    expect(await alice.page.getByTestId("timeline").getByText("Maintenance").count()).toBe(0);
  });

  it("works on a 360 px wide phone screen", async () => {
    const d = await daemon();
    const alice = await user(d, { viewport: MOBILE, isMobile: true });
    await alice.page.getByTestId("signin-form").waitFor();
    await screenshot(alice.page, "mobile-signin");
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");

    // The sidebar is behind the toggle button.
    const sidebar = alice.page.getByTestId("sidebar");
    expect(await sidebar.isVisible()).toBe(false);
    await alice.page.getByTestId("sidebar-toggle").click();
    await expect.poll(() => sidebar.isVisible()).toBe(true);
    await alice.page.keyboard.press("Escape");
    await expect.poll(() => sidebar.isVisible()).toBe(false);

    const bob = await wsUser(d, "bob");
    await bob.request({ type: "join", room: "general" }, "joined");
    bob.send({ type: "say", room: "general", text: "Morning! Standup in 5?" });
    await sentMessages(alice.page, "Morning! Standup in 5?").waitFor();
    await say(alice.page, "On my way, grabbing coffee first");
    await sentMessages(alice.page, "On my way, grabbing coffee first").waitFor();
    // Nothing overflows sideways.
    const width = await alice.page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(MOBILE.width);
    await alice.page.getByTestId("composer-input").blur();
    await screenshot(alice.page, "mobile-chat", "screenshot-mobile.png");

    await alice.page.getByTestId("sidebar-toggle").click();
    await expect.poll(() => sidebar.isVisible()).toBe(true);
    await screenshot(alice.page, "mobile-sidebar");
    expect(alice.errors).toEqual([]);
  });

  it("follows the dark color scheme", async () => {
    const d = await daemon();
    const light = await user(d, { viewport: DESKTOP, colorScheme: "light" });
    const dark = await user(d, { viewport: DESKTOP, colorScheme: "dark" });
    const bg = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await bg(light.page)).not.toBe(await bg(dark.page));
    await signIn(dark.page, "night-owl");
    await waitForRoom(dark.page, "general");
    await say(dark.page, "dark mode looks good");
    await sentMessages(dark.page, "dark mode looks good").waitFor();
    await screenshot(dark.page, "desktop-dark");
  });
});

/** Tries a `hello` with a token on a fresh connection and returns the answer. */
async function helloWithToken(d: TestDaemon, token: string): Promise<{ type: string; code?: unknown }> {
  const client = await TestClient.connect(d.wsUrl);
  try {
    return await client.request({ type: "hello", token }, "welcome", "error");
  } finally {
    await client.close();
  }
}
