import { describe, expect, it } from "vitest";
import { sentMessages, signIn, waitForRoom, webSuite } from "../helpers/browser.ts";

/** The composer: what it lets through. */

const web = webSuite();

describe("composer", () => {
  it("disables Send and Enter while the draft is over the server's limit", async () => {
    const d = await web.daemon({ limits: { maxTextLength: 100 } });
    const { page, tap } = await web.tapped(d);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    const input = page.getByTestId("composer-input");
    const send = page.getByTestId("composer-send");

    await input.fill("x".repeat(150));
    expect(await page.getByTestId("composer-count").textContent()).toBe("50 characters over the limit");
    expect(await send.isDisabled()).toBe(true);
    await input.press("Enter");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(tap.sentOf("say")).toEqual([]);
    expect(await input.inputValue()).toHaveLength(150); // the draft is kept to be shortened

    await input.fill("x".repeat(100));
    expect(await page.getByTestId("composer-count").textContent()).toBe("0 characters left");
    expect(await send.isEnabled()).toBe(true);
    await input.press("Enter");
    await sentMessages(page, "x".repeat(100)).waitFor();
    expect(tap.sentOf("say")).toHaveLength(1);
  });
});
