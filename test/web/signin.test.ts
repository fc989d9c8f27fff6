import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { TestClient } from "../helpers/client.ts";
import { signIn, webSuite } from "../helpers/browser.ts";

/** The sign-in form: names, the sign-in back-off, the auth timeout, the hint. */

const web = webSuite();
const WELCOME = "Pick a name and a password: the first sign-in creates your account.";

async function tryPassword(page: Page, name: string, password: string): Promise<void> {
  await page.getByTestId("signin-name").fill(name);
  await page.getByTestId("signin-password").fill(password);
  await page.getByTestId("signin-submit").click();
}

describe("sign-in form", () => {
  it("refuses a name over 32 characters with the naming rule instead of creating a shorter one", async () => {
    const d = await web.daemon();
    const { page } = await web.user(d);
    const long = "a".repeat(300);
    await tryPassword(page, long, "password123");
    const error = page.locator('[data-testid="signin-error"][data-code="bad_name"]');
    await error.waitFor();
    expect(await error.textContent()).toContain("1–32 letters");
    expect(await page.getByTestId("signin-name").inputValue()).toBe(long); // not cut to 32
    expect(await page.getByTestId("app").isHidden()).toBe(true);
    // No account was created under the first 32 characters.
    const client = await TestClient.connect(d.wsUrl);
    try {
      const welcome = await client.request({ type: "hello", user: "a".repeat(32), password: "password123" }, "welcome");
      expect(welcome).toMatchObject({ created: true });
    } finally {
      await client.close();
    }
  });

  it("says a banned account is banned, with the reason, once", async () => {
    const d = await web.daemon();
    await web.wsUser(d, "mallory");
    const ban = await d.http("/admin/ban", { method: "POST", admin: true, body: JSON.stringify({ user: "mallory", reason: "spam" }) });
    expect(ban.status).toBe(200);
    const { page } = await web.user(d);
    await tryPassword(page, "mallory", "correct-horse"); // wsUser's password
    const error = page.locator('[data-testid="signin-error"][data-code="banned"]');
    await error.waitFor();
    expect(await error.textContent()).toBe("This account is banned: spam");
  });

  it("says how long the sign-in back-off lasts and when to retry", async () => {
    const d = await web.daemon({ limits: { signInFailureDelayMs: 4000 } });
    await web.wsUser(d, "bob");
    const { page, tap } = await web.tapped(d);
    const error = page.getByTestId("signin-error");
    for (let i = 0; i < 2; i++) {
      await tryPassword(page, "bob", "wrong-password");
      await page.locator('[data-testid="signin-error"][data-code="auth_failed"]').waitFor();
      await page.getByTestId("signin-error").evaluate((node) => (node.dataset.code = ""));
    }
    // A server that does not say how long: the page says what it is, and leaves the form usable.
    tap.rewrite = (frame) => {
      delete frame.retryAfterMs;
      return frame;
    };
    await tryPassword(page, "bob", "wrong-password");
    await page.locator('[data-testid="signin-error"][data-code="rate_limited"]').waitFor();
    expect(await error.textContent()).toBe("Too many failed sign-ins; wait a moment, then try again.");
    expect(await page.getByTestId("signin-submit").isEnabled()).toBe(true);

    // With `retryAfterMs` the page counts down, and the button waits with it.
    tap.rewrite = (frame) => (frame.type === "error" && frame.code === "rate_limited" ? { ...frame, retryAfterMs: 4000 } : frame);
    await tryPassword(page, "bob", "correct-horse");
    await page.getByTestId("signin-error").getByText("Too many failed sign-ins; try again in 4 s").waitFor();
    expect(await page.getByTestId("signin-submit").isDisabled()).toBe(true);
    await page.getByTestId("signin-error").getByText("Too many failed sign-ins; try again in 2 s").waitFor();
    await page.getByTestId("signin-status").getByText("You can try again now.").waitFor({ timeout: 6000 });
    expect(await error.isHidden()).toBe(true);
    await signIn(page, "bob", "correct-horse");
  }, 30_000);

  it("reconnects quietly after the server's auth timeout and keeps the form usable", async () => {
    const d = await web.daemon({ limits: { authTimeoutMs: 1000 } });
    await web.wsUser(d, "bob");
    const { page, tap, errors } = await web.tapped(d);
    await tryPassword(page, "bob", "wrong-password");
    await page.locator('[data-testid="signin-error"][data-code="auth_failed"]').waitFor();
    // The server closes the signed-out socket after limits.authTimeoutMs.
    await expect.poll(() => page.evaluate(() => document.getElementById("conn-status")?.dataset.state), { timeout: 5000 }).toBe("offline");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await page.getByTestId("signin-error").textContent()).toBe("Wrong name or password.");
    expect(await page.getByText("You are not signed in.").count()).toBe(0);
    expect(await page.getByTestId("signin-submit").isEnabled()).toBe(true);
    // The next try goes out on a new connection and works.
    await signIn(page, "bob", "correct-horse");
    expect(tap.connections).toBe(2);
    expect(errors).toEqual([]);
  });

  it("sends a sign-in caught by the auth timeout again on a new connection", async () => {
    const d = await web.daemon({ limits: { authTimeoutMs: 1000 } });
    await web.wsUser(d, "bob");
    const { page, tap, errors } = await web.tapped(d);
    // The first hello never reaches the server, as if sent the moment the server gave up waiting.
    tap.dropSent = (frame) => frame.type === "hello" && tap.connections === 1;
    await signIn(page, "bob", "correct-horse");
    expect(tap.connections).toBe(2);
    expect(tap.sentOf("hello")).toHaveLength(2);
    expect(await page.getByText("You are not signed in.").count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it("shows the sign-in hint once, and not in the chat after signing in", async () => {
    const d = await web.daemon({ welcome: WELCOME });
    const { page } = await web.user(d);
    // First visit: the server's welcome is not known yet, the built-in hint says how it works.
    expect(await page.getByTestId("signin-help").isVisible()).toBe(true);
    expect(await page.getByTestId("signin-welcome").isVisible()).toBe(false);
    await signIn(page, "alice");
    expect(await page.getByTestId("sidebar").textContent()).not.toContain("Pick a name");
    expect(await page.getByTestId("app").textContent()).not.toContain("Pick a name");

    await page.getByTestId("signout").click();
    await page.getByTestId("signin-screen").waitFor();
    // The server's welcome replaces the built-in hint: one hint, not two.
    expect(await page.getByTestId("signin-welcome").textContent()).toBe(WELCOME);
    expect(await page.getByTestId("signin-help").isVisible()).toBe(false);
    const visibleHints = await page
      .locator("#signin-screen p:visible")
      .evaluateAll((nodes) => nodes.filter((n) => /Pick a name/.test(n.textContent ?? "")).length);
    expect(visibleHints).toBe(1);
  });
});
