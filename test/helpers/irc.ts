import { connect as tcpConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { parseLine, type IrcMessage } from "../../src/irc/line.ts";

export type Line = IrcMessage & { raw: string };
type Match = string | ((line: Line) => boolean);

/**
 * A real IRC client over TCP for tests. Every line received is kept in order;
 * `next` consumes them up to the first that matches (a command or numeric, or
 * a predicate), so a test reads like the conversation.
 */
export class IrcClient {
  readonly lines: Line[] = [];
  #cursor = 0;
  #buffer = "";
  #waiters: Array<() => void> = [];
  #ended = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.#buffer += chunk;
      let i: number;
      while ((i = this.#buffer.indexOf("\r\n")) >= 0) {
        const raw = this.#buffer.slice(0, i);
        this.#buffer = this.#buffer.slice(i + 2);
        const msg = parseLine(raw);
        if (msg) this.lines.push({ ...msg, raw });
      }
      this.#wake();
    });
    socket.on("error", () => {});
    this.closed = new Promise((resolve) =>
      socket.on("close", () => {
        this.#ended = true;
        this.#wake();
        resolve();
      }),
    );
  }

  static connect(port: number, options: { tls?: boolean } = {}): Promise<IrcClient> {
    return new Promise((resolve, reject) => {
      const socket = options.tls
        ? tlsConnect({ port, host: "127.0.0.1", rejectUnauthorized: false }, () => resolve(new IrcClient(socket)))
        : tcpConnect({ port, host: "127.0.0.1" }, () => resolve(new IrcClient(socket)));
      socket.once("error", reject);
    });
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** The next unread line that matches (skipping the others). */
  async next(match?: Match, timeoutMs = 5000): Promise<Line> {
    const test = typeof match === "string" ? (l: Line) => l.command === match : (match ?? (() => true));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.#cursor < this.lines.length) {
        const line = this.lines[this.#cursor++]!;
        if (test(line)) return line;
      }
      if (this.#ended) throw new Error(`connection closed while waiting for ${String(match)}; last: ${this.tail()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${String(match)}; last: ${this.tail()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Lines up to and including the first that matches. */
  async until(match: Match, timeoutMs = 5000): Promise<Line[]> {
    const from = this.#cursor;
    await this.next(match, timeoutMs);
    return this.lines.slice(from, this.#cursor);
  }

  /** True if no line that matches arrives within `ms` (lines read meanwhile are consumed). */
  async quiet(match: Match, ms = 300): Promise<boolean> {
    try {
      await this.next(match, ms);
      return false;
    } catch {
      return true;
    }
  }

  tail(n = 8): string {
    return JSON.stringify(this.lines.slice(-n).map((l) => l.raw));
  }

  close(): void {
    this.socket.destroy();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

/** SASL PLAIN's response for a user and password. */
export function plain(user: string, password: string): string {
  return Buffer.from(`\0${user}\0${password}`).toString("base64");
}

/**
 * Connects, negotiates `caps` and signs in with SASL PLAIN (or PASS with
 * `pass: true`), and reads through the welcome burst (to the MOTD's end and 221).
 */
export async function ircSignIn(
  port: number,
  user: string,
  options: { password?: string; caps?: string[]; pass?: boolean; tls?: boolean; userName?: string; realName?: string } = {},
): Promise<IrcClient> {
  const password = options.password ?? "correct-horse";
  const userLine = `USER ${options.userName ?? user} 0 * :${options.realName ?? user}`;
  const client = await IrcClient.connect(port, { tls: options.tls });
  if (options.pass) {
    client.send(`PASS ${password}`);
    if (options.caps?.length) {
      client.send("CAP LS 302");
      client.send(`CAP REQ :${options.caps.join(" ")}`);
      await client.next("CAP");
      await client.next("CAP");
      client.send("CAP END");
    }
    client.send(`NICK ${user}`);
    client.send(userLine);
  } else {
    client.send("CAP LS 302");
    client.send(`NICK ${user}`);
    client.send(userLine);
    client.send(`CAP REQ :${["sasl", ...(options.caps ?? [])].join(" ")}`);
    await client.next((l) => l.command === "CAP" && l.params[1] === "ACK");
    client.send("AUTHENTICATE PLAIN");
    await client.next("AUTHENTICATE");
    client.send(`AUTHENTICATE ${plain(user, password)}`);
    const done = await client.next((l) => l.command === "903" || l.command === "904");
    if (done.command !== "903") throw new Error(`SASL failed: ${done.raw}`);
    client.send("CAP END");
  }
  const end = await client.next((l) => l.command === "376" || l.command === "422" || l.command === "464" || l.command === "ERROR");
  if (end.command !== "376" && end.command !== "422") throw new Error(`sign-in failed: ${end.raw}`);
  // The burst ends with the user mode.
  await client.next("221");
  return client;
}
