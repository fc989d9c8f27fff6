import WebSocket from "ws";

export type Frame = { type: string; [key: string]: unknown };

/**
 * A real WebSocket client for tests. Every frame received is kept in order;
 * `next` consumes them one at a time, so a test reads like the conversation.
 */
export class TestClient {
  readonly frames: Frame[] = [];
  #cursor = 0;
  #waiters: Array<() => void> = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data, isBinary) => {
      this.frames.push(isBinary ? { type: "<binary>" } : (JSON.parse(data.toString()) as Frame));
      this.#wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on("close", (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.#wake();
      });
    });
    ws.on("error", () => {});
  }

  static connect(url: string, options?: WebSocket.ClientOptions): Promise<TestClient> {
    const ws = new WebSocket(url, options);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new TestClient(ws)));
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** The next unread frame (of `type`, skipping others if given). */
  async next(type?: string, timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.#cursor < this.frames.length) {
        const frame = this.frames[this.#cursor++]!;
        if (type === undefined || frame.type === type) return frame;
      }
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting for ${type ?? "a frame"}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${type ?? "a frame"}; got ${JSON.stringify(this.frames.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a frame and returns the next frame of one of `types`. */
  async request(frame: Frame, ...types: string[]): Promise<Frame> {
    this.send(frame);
    for (;;) {
      const f = await this.next();
      if (types.length === 0 || types.includes(f.type)) return f;
    }
  }

  /** Frames not yet consumed by `next`. */
  unread(): Frame[] {
    return this.frames.slice(this.#cursor);
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

/** Connects and signs in; resolves with the client and its welcome frame. */
export async function signIn(
  wsUrl: string,
  user: string,
  password = "correct-horse",
): Promise<{ client: TestClient; welcome: Frame }> {
  const client = await TestClient.connect(wsUrl);
  const welcome = await client.request({ type: "hello", user, password }, "welcome", "error");
  if (welcome.type !== "welcome") throw new Error(`sign-in failed: ${JSON.stringify(welcome)}`);
  return { client, welcome };
}

/** What the server answered to a WebSocket upgrade it refused: status, headers and body text. */
export type RefusedUpgrade = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** Asks for an upgrade the server should refuse; rejects if it upgrades instead. */
export function refusedUpgrade(url: string, options?: WebSocket.ClientOptions): Promise<RefusedUpgrade> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.on("open", () => {
      ws.terminate();
      reject(new Error("upgraded"));
    });
    // ws reports the refusal as an error too, after unexpected-response.
    ws.on("error", () => {});
    ws.on("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
  });
}
