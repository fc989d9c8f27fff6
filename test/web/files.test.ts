import { describe, expect, it } from "vitest";
import { MOBILE, screenshot, signIn, waitForRoom, webSuite } from "../helpers/browser.ts";
import { PNG_2x3 } from "../helpers/files.ts";

/** Files on the page: attach, progress and cancel, thumbnails and the viewer, downloads. */

const web = webSuite();

describe("files on the page", () => {
  it("attaches an image and a text file; shows a thumbnail that opens the viewer and a named download with its size", async () => {
    const d = await web.daemon();
    const bob = await web.wsUser(d, "bob");
    await bob.request({ type: "join", room: "general" }, "joined");
    const { page, errors } = await web.user(d, { viewport: MOBILE, isMobile: true });
    await signIn(page, "alice");
    await waitForRoom(page, "general");

    await page.getByTestId("file-input").setInputFiles([
      { name: "dot.png", mimeType: "image/png", buffer: PNG_2x3 },
      { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("some notes") },
    ]);
    await expect.poll(() => page.locator('[data-testid="upload"][data-state="done"]').count()).toBe(2);
    await page.getByTestId("composer-input").fill("the screenshot");
    await page.getByTestId("composer-send").click();

    const got = await bob.next("message");
    expect(got.text).toBe("the screenshot");
    expect((got.files as Array<{ name: string }>).map((f) => f.name)).toEqual(["dot.png", "notes.txt"]);
    const sent = page.locator('[data-testid="message"][data-state="sent"]').last();
    await sent.getByTestId("file-thumb").waitFor();
    const link = sent.getByTestId("file-link");
    expect(await link.textContent()).toBe("notes.txt 10 B");
    expect(await link.getAttribute("href")).toMatch(/^\/files\/[A-Za-z0-9_-]+\/notes\.txt$/);
    expect(await page.getByTestId("composer-files").isHidden()).toBe(true);
    // The thumbnail loaded under the page's CSP (img-src 'self').
    await expect.poll(() => sent.locator("img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(2);
    await screenshot(page, "files-mobile", "screenshot-files.png");

    await sent.getByTestId("file-thumb").click();
    const viewer = page.getByTestId("viewer");
    await viewer.waitFor();
    expect(await page.getByTestId("viewer-image").getAttribute("src")).toBe((got.files as Array<{ url: string }>)[0]!.url);
    await page.keyboard.press("Escape");
    await viewer.waitFor({ state: "hidden" });
    expect(errors).toEqual([]);
  });

  it("shows a progress bar while uploading; Cancel aborts the upload and the message goes without it", async () => {
    const d = await web.daemon();
    const { page, tap } = await web.tapped(d);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    // Hold the upload (never answered) so it is still going when Cancel is pressed.
    await page.route("**/files", () => {});
    await page.getByTestId("file-input").setInputFiles([{ name: "big.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(256 * 1024, 7) }]);
    const upload = page.getByTestId("upload");
    await upload.getByTestId("upload-progress").waitFor();
    expect(await upload.getAttribute("data-state")).toBe("uploading");
    // Send waits for the upload.
    await page.getByTestId("composer-input").fill("without it");
    await page.getByTestId("composer-send").click();
    await new Promise((r) => setTimeout(r, 200));
    expect(tap.sentOf("say")).toEqual([]);
    await upload.getByTestId("upload-cancel").click();
    await upload.waitFor({ state: "detached" });
    await page.getByTestId("composer-send").click();
    await expect.poll(() => tap.sentOf("say").length).toBe(1);
    expect(tap.sentOf("say")[0]).not.toHaveProperty("files");
  });

  it("takes files pasted into the message box or dropped on the composer", async () => {
    const d = await web.daemon();
    const bob = await web.wsUser(d, "bob");
    await bob.request({ type: "join", room: "general" }, "joined");
    const { page, errors } = await web.user(d);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    const input = page.getByTestId("composer-input");
    // What a browser fires for a paste from the clipboard and a drop from the file manager.
    await input.evaluate((box) => {
      const data = new DataTransfer();
      data.items.add(new File(["pasted"], "pasted.txt", { type: "text/plain" }));
      box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    });
    await input.evaluate((box) => {
      const data = new DataTransfer();
      data.items.add(new File(["dropped"], "dropped.txt", { type: "text/plain" }));
      const composer = box.closest("form") ?? box;
      for (const type of ["dragenter", "dragover", "drop"]) composer.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await expect.poll(() => page.locator('[data-testid="upload"][data-state="done"]').count()).toBe(2);
    await page.getByTestId("composer-send").click();
    const got = await bob.next("message");
    expect((got.files as Array<{ name: string }>).map((f) => f.name)).toEqual(["pasted.txt", "dropped.txt"]);
    expect(errors).toEqual([]);
  });
  it("says an upload over the day's allowance is refused and when to try again", async () => {
    const d = await web.daemon({ limits: { filesPerUserPerDay: 1 } });
    const { page } = await web.user(d);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    await page.getByTestId("file-input").setInputFiles([{ name: "a.txt", mimeType: "text/plain", buffer: Buffer.from("a") }]);
    await page.locator('[data-testid="upload"][data-state="done"]').waitFor();
    await page.getByTestId("file-input").setInputFiles([{ name: "b.txt", mimeType: "text/plain", buffer: Buffer.from("b") }]);
    const toast = page.locator('[data-testid="toast"][data-code="quota_exceeded"]');
    await toast.waitFor();
    // The first upload leaves the 24 hours in a day: that is the wait (Retry-After).
    expect(await toast.textContent()).toContain("Could not upload b.txt: your upload allowance for today is spent; try again in 24 h.");
    expect(await page.getByTestId("upload").count()).toBe(1);
  });
});
