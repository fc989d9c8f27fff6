// docs/files.md "On the page", checked in Debian's Chromium: what test/web/files.test.ts does
// not (Send pressed during an upload, removing a finished upload, paste and drop, files with
// no text, at most 10 a message, the viewer's ×, a refused upload).
import type { Page, Route } from "playwright-core";
import { describe, expect, it } from "vitest";
import { signIn, waitForRoom, webSuite } from "../../helpers/browser.ts";
import { PNG_2x3 } from "../../helpers/files.ts";

const web = webSuite();

/** Hands `files` to a paste (on the message box) or a drop (on the composer), as a browser does. */
function handOver(page: Page, how: "paste" | "drop", files: Array<{ name: string; text: string }>) {
  return page.evaluate(
    ({ how, files }) => {
      const data = new DataTransfer();
      for (const f of files) data.items.add(new File([f.text], f.name, { type: "text/plain" }));
      const target = document.querySelector(how === "paste" ? '[data-testid="composer-input"]' : "#composer")!;
      const event =
        how === "paste"
          ? new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true })
          : new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true });
      target.dispatchEvent(event);
    },
    { how, files },
  );
}

describe("files on the page, as files.md tells a newcomer", () => {
  it("Send pressed while a file uploads sends the text with the file once the upload is done", async () => {
    const d = await web.daemon();
    const { page, tap } = await web.tapped(d);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    let held: Route | undefined;
    await page.route("**/files", (route) => {
      held = route;
    });
    await page.getByTestId("file-input").setInputFiles([{ name: "later.txt", mimeType: "text/plain", buffer: Buffer.from("later") }]);
    await expect.poll(() => held !== undefined).toBe(true);
    await page.getByTestId("composer-input").fill("with the file");
    await page.getByTestId("composer-send").click();
    await expect.poll(() => page.locator(".toast").allTextContents()).toContainEqual(expect.stringContaining("uploads finish"));
    await new Promise((r) => setTimeout(r, 300));
    expect(tap.sentOf("say")).toEqual([]);
    await held!.continue();
    await expect.poll(() => tap.sentOf("say").length).toBe(1);
    const say = tap.sentOf("say")[0] as unknown as { text: string; files: string[] };
    expect(say.text).toBe("with the file");
    expect(say.files).toHaveLength(1);
    expect(await page.getByTestId("composer-input").inputValue()).toBe("");
  });

  it("shows a finished upload's size; its × removes it from the message", async () => {
    const d = await web.daemon();
    const { page, tap } = await web.tapped(d);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    await page.getByTestId("file-input").setInputFiles([
      { name: "keep.txt", mimeType: "text/plain", buffer: Buffer.from("12345") },
      { name: "drop.txt", mimeType: "text/plain", buffer: Buffer.from("x") },
    ]);
    await expect.poll(() => page.locator('[data-testid="upload"][data-state="done"]').count()).toBe(2);
    const keep = page.locator('[data-testid="upload"]', { hasText: "keep.txt" });
    expect(await keep.textContent()).toContain("5 B");
    await page.locator('[data-testid="upload"]', { hasText: "drop.txt" }).getByTestId("upload-cancel").click();
    await expect.poll(() => page.getByTestId("upload").count()).toBe(1);
    await page.getByTestId("composer-send").click();
    await expect.poll(() => tap.sentOf("say").length).toBe(1);
    const say = tap.sentOf("say")[0] as unknown as { text?: string; files: string[] };
    expect(say.files).toHaveLength(1);
    expect(say.text ?? "").toBe("");
    const sent = page.locator('[data-testid="message"][data-state="sent"]').last();
    expect(await sent.getByTestId("file-link").textContent()).toBe("keep.txt 5 B");
  });

  it("uploads files pasted into the message box or dropped on the composer", async () => {
    const d = await web.daemon();
    const { page, tap } = await web.tapped(d);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    await handOver(page, "paste", [{ name: "pasted.txt", text: "p" }]);
    await handOver(page, "drop", [{ name: "dropped.txt", text: "dd" }]);
    await expect.poll(() => page.locator('[data-testid="upload"][data-state="done"]').count()).toBe(2);
    await page.getByTestId("composer-input").fill("both");
    await page.getByTestId("composer-send").click();
    await expect.poll(() => tap.sentOf("say").length).toBe(1);
    const sent = page.locator('[data-testid="message"][data-state="sent"]').last();
    await expect.poll(() => sent.getByTestId("file-link").allTextContents()).toEqual(["pasted.txt 1 B", "dropped.txt 2 B"]);
  });

  it("sends at most 10 files in a message; the rest stay for the next", async () => {
    const d = await web.daemon();
    const { page, tap } = await web.tapped(d);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    const eleven = Array.from({ length: 11 }, (_, i) => ({ name: `f${i}.txt`, mimeType: "text/plain", buffer: Buffer.from(String(i)) }));
    await page.getByTestId("file-input").setInputFiles(eleven);
    await expect.poll(() => page.locator('[data-testid="upload"][data-state="done"]').count()).toBe(11);
    await page.getByTestId("composer-send").click();
    await expect.poll(() => tap.sentOf("say").length).toBe(1);
    expect((tap.sentOf("say")[0] as unknown as { files: string[] }).files).toHaveLength(10);
    await expect.poll(() => page.locator('[data-testid="message"][data-state="sent"]').count()).toBe(1);
    // The eleventh stays in the composer for the next message.
    expect(await page.locator('[data-testid="upload"][data-state="done"]').allTextContents()).toEqual([expect.stringContaining("f10.txt")]);
    await page.getByTestId("composer-send").click();
    await expect.poll(() => tap.sentOf("say").length).toBe(2);
    expect((tap.sentOf("say")[1] as unknown as { files: string[] }).files).toHaveLength(1);
  });

  it("closes the image viewer with its ×", async () => {
    const d = await web.daemon();
    const { page } = await web.user(d);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    await page.getByTestId("file-input").setInputFiles([{ name: "dot.png", mimeType: "image/png", buffer: PNG_2x3 }]);
    await expect.poll(() => page.locator('[data-testid="upload"][data-state="done"]').count()).toBe(1);
    await page.getByTestId("composer-send").click();
    const sent = page.locator('[data-testid="message"][data-state="sent"]').last();
    await sent.getByTestId("file-thumb").click();
    const viewer = page.getByTestId("viewer");
    await viewer.waitFor();
    await viewer.getByRole("button", { name: /close/i }).click();
    await viewer.waitFor({ state: "hidden" });
  });

  it("drops an upload the server refuses and says why", async () => {
    const d = await web.daemon({ limits: { maxFileBytes: 10 } });
    const { page } = await web.user(d);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    await page.getByTestId("file-input").setInputFiles([{ name: "big.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(11) }]);
    await expect.poll(() => page.locator(".toast").allTextContents()).toContainEqual(expect.stringContaining("big.bin"));
    expect((await page.locator(".toast").allTextContents()).join(" ")).toMatch(/too large/);
    expect(await page.getByTestId("upload").count()).toBe(0);
  });
});
