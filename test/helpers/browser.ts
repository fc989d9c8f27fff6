import { copyFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { need } from "./needs.ts";
import { chromium, type Browser, type BrowserContext, type Locator, type Page, type WebSocketRoute } from "playwright-core";
import { afterAll, afterEach, beforeAll } from "vitest";
import { startDaemon, type TestDaemon } from "./daemon.ts";
import { signIn as wsSignIn, TestClient } from "./client.ts";

/** The system Chromium (Debian's package; the global setup installs it when missing); tests never download a browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const RESULTS_DIR = join(ROOT, "test-results");
export const DOCS_DIR = join(ROOT, "docs");

export const DESKTOP = { width: 1280, height: 800 };
export const MOBILE = { width: 360, height: 740 };

export function launchBrowser(): Promise<Browser> {
  need("chromium");
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export type BrowserUser = { context: BrowserContext; page: Page; errors: string[] };

/**
 * A fresh browser profile (own localStorage) on the daemon's page. Page errors
 * and CSP violations are collected in `errors` so tests can assert there were none.
 */
export async function openPage(
  browser: Browser,
  url: string,
  options: {
    viewport?: { width: number; height: number };
    colorScheme?: "light" | "dark";
    isMobile?: boolean;
    /** Runs before the page is loaded (e.g. to install a WsTap). */
    setup?: (page: Page) => Promise<unknown>;
  } = {},
): Promise<BrowserUser> {
  const context = await browser.newContext({
    viewport: options.viewport ?? DESKTOP,
    colorScheme: options.colorScheme ?? "light",
    isMobile: options.isMobile ?? false,
    hasTouch: options.isMobile ?? false,
    reducedMotion: "reduce", // no drawer animations: screenshots and visibility checks see the end state
    locale: "en-US",
    timezoneId: "UTC",
  });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !/WebSocket connection/i.test(message.text())) errors.push(`console: ${message.text()}`);
  });
  await options.setup?.(page);
  await page.goto(url);
  return { context, page, errors };
}

/** Fills the sign-in form and waits until the chat is on screen and online. */
export async function signIn(page: Page, name: string, password = "password123"): Promise<void> {
  await page.getByTestId("signin-name").fill(name);
  await page.getByTestId("signin-password").fill(password);
  await page.getByTestId("signin-submit").click();
  await page.getByTestId("app").waitFor({ state: "visible" });
  await waitOnline(page);
}

export async function waitOnline(page: Page, timeout = 10_000): Promise<void> {
  await page.locator('[data-testid="conn-status"][data-state="online"]').waitFor({ timeout });
}

/** Waits until the given room is the open conversation and joined. */
export async function waitForRoom(page: Page, room: string): Promise<void> {
  await page.locator(`[data-testid="conv-title"][data-conv="#${room}"][data-joined="true"]`).waitFor();
}

export async function joinRoom(page: Page, room: string): Promise<void> {
  const toggle = page.getByTestId("sidebar-toggle");
  if (await toggle.isVisible()) await toggle.click();
  await page.getByTestId("open-join").click();
  await page.getByTestId("join-name").fill(room);
  await page.getByTestId("join-name").press("Enter");
  await waitForRoom(page, room);
}

/** Types a message and presses Enter. */
export async function say(page: Page, text: string): Promise<void> {
  const input = page.getByTestId("composer-input");
  await input.fill(text);
  await input.press("Enter");
}

/** Confirmed (acked or received) messages whose text is exactly `text`. */
export function sentMessages(page: Page, text: string): Locator {
  return page.locator('[data-testid="message"][data-state="sent"]').filter({
    has: page.getByTestId("message-text").getByText(text, { exact: true }),
  });
}

/** Every message (any state) whose text is exactly `text`. */
export function anyMessages(page: Page, text: string): Locator {
  return page.getByTestId("message").filter({ has: page.getByTestId("message-text").getByText(text, { exact: true }) });
}

/** Saves a screenshot into test-results/ and, if `docsName` is given, copies it into docs/. */
export async function screenshot(page: Page, name: string, docsName?: string): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  if (docsName) await copyFile(file, join(DOCS_DIR, docsName));
  return file;
}

type JsonFrame = { type: string; [key: string]: unknown };

/**
 * Sits between the page and the daemon on the page's WebSocket (Playwright's
 * routeWebSocket), so a test can see what the page sends, hold back frames
 * from the server, cut the connection, or refuse new connections.
 */
export class WsTap {
  /** Frames the page sent, on every connection, in order. */
  readonly sent: JsonFrame[] = [];
  /** While true, new connections are closed at once (the page sees a failed connect). */
  blocked = false;
  /** Server frames of these types are held back until `release()`. */
  readonly holdTypes = new Set<string>();
  /** Page frames for which this answers true are not passed on to the server (recorded in `sent` still). */
  dropSent: ((frame: JsonFrame) => boolean) | undefined;
  /** Changes server frames on their way to the page (e.g. a field a newer server sends). */
  rewrite: ((frame: JsonFrame) => JsonFrame) | undefined;
  #held: Array<{ route: WebSocketRoute; message: string | Buffer }> = [];
  #current: { page: WebSocketRoute; server: WebSocketRoute } | undefined;
  connections = 0;

  static async attach(page: Page): Promise<WsTap> {
    const tap = new WsTap();
    await page.routeWebSocket(/\/ws$/, (route) => tap.#onConnection(route));
    return tap;
  }

  #onConnection(route: WebSocketRoute): void {
    if (this.blocked) {
      void route.close({ code: 4999, reason: "blocked by test" });
      return;
    }
    this.connections += 1;
    const server = route.connectToServer();
    this.#current = { page: route, server };
    route.onMessage((message) => {
      try {
        const frame = JSON.parse(String(message)) as JsonFrame;
        this.sent.push(frame);
        if (this.dropSent?.(frame)) return;
      } catch {
        // not JSON: forwarded as is
      }
      server.send(message);
    });
    server.onMessage((message) => {
      let type = "";
      try {
        type = (JSON.parse(String(message)) as JsonFrame).type;
      } catch {
        // forwarded as is
      }
      if (this.rewrite && type) message = JSON.stringify(this.rewrite(JSON.parse(String(message)) as JsonFrame));
      if (this.holdTypes.has(type)) this.#held.push({ route, message });
      else route.send(message);
    });
  }

  /** Delivers the held frames in order and stops holding. */
  release(): void {
    this.holdTypes.clear();
    for (const { route, message } of this.#held.splice(0)) route.send(message);
  }

  /** Cuts the current connection on both sides. */
  async drop(): Promise<void> {
    const current = this.#current;
    this.#current = undefined;
    if (!current) return;
    await current.server.close().catch(() => {});
    await current.page.close({ code: 4998, reason: "dropped by test" }).catch(() => {});
  }

  /** The frames of one type the page sent. */
  sentOf(type: string): JsonFrame[] {
    return this.sent.filter((f) => f.type === type);
  }
}

/**
 * One Chromium for a test file, and daemons, pages and WebSocket users that are
 * closed after each test (pages first: they hold sockets). Call at the top of a
 * file or describe block.
 */
export function webSuite(defaults: DeepPartialConfig = {}) {
  let browser: Browser;
  const cleanups: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });
  return {
    async daemon(overrides: DeepPartialConfig = {}): Promise<TestDaemon> {
      const d = await startDaemon({ rooms: ["general"], ...defaults, ...overrides, limits: { ...defaults.limits, ...overrides.limits } });
      cleanups.push(() => d.close());
      return d;
    },
    async user(d: TestDaemon, options: Parameters<typeof openPage>[2] = {}): Promise<BrowserUser> {
      const u = await openPage(browser, d.url, options);
      cleanups.push(() => u.context.close());
      return u;
    },
    /** A page with a WsTap on its WebSocket. */
    async tapped(d: TestDaemon, options: Parameters<typeof openPage>[2] = {}): Promise<BrowserUser & { tap: WsTap }> {
      let tap!: WsTap;
      const u = await this.user(d, { ...options, setup: async (page) => (tap = await WsTap.attach(page)) });
      return { ...u, tap };
    },
    async wsUser(d: TestDaemon, name: string): Promise<TestClient> {
      const { client } = await wsSignIn(d.wsUrl, name);
      cleanups.push(() => client.close());
      return client;
    },
  };
}

type DeepPartialConfig = Parameters<typeof startDaemon>[0] & {};
