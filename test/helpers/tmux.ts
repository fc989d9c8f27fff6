import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { needBinary } from "./needs.ts";

const run = promisify(execFile);
let nextSocket = 0;

/**
 * A terminal program (irssi, WeeChat) in a detached tmux session on a private
 * tmux server, so a test can type into it and read its screen as a person
 * would: `type` sends keys, `screen` is the pane's text, `waitFor` polls it.
 */
export class Tmux {
  private constructor(
    readonly socket: string,
    readonly session: string,
  ) {}

  static async start(command: string[], options: { columns?: number; rows?: number; env?: Record<string, string> } = {}): Promise<Tmux> {
    needBinary("tmux");
    const t = new Tmux(`chatd-test-${process.pid}-${nextSocket++}`, "main");
    const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    await t.#tmux(["new-session", "-d", "-s", t.session, "-x", String(options.columns ?? 100), "-y", String(options.rows ?? 30), ...env, ...command]);
    // Keep the pane when the program exits, so a test can see that it did.
    await t.#tmux(["set-option", "-t", t.session, "remain-on-exit", "on"]);
    return t;
  }

  #tmux(args: string[]): Promise<{ stdout: string }> {
    return run("tmux", ["-L", this.socket, "-f", "/dev/null", ...args], { env: { ...process.env, TERM: "xterm-256color" } });
  }

  /** Types `text` literally, then Enter. */
  async type(text: string): Promise<void> {
    await this.#tmux(["send-keys", "-t", this.session, "-l", text]);
    await this.#tmux(["send-keys", "-t", this.session, "Enter"]);
  }

  /** The pane as plain text (or with its colours as escape codes: `ansi`). */
  async screen(ansi = false): Promise<string> {
    const { stdout } = await this.#tmux(["capture-pane", "-p", ...(ansi ? ["-e"] : []), "-t", this.session]);
    return stdout;
  }

  /** Whether the program in the pane has exited. */
  async exited(): Promise<boolean> {
    const { stdout } = await this.#tmux(["display-message", "-p", "-t", this.session, "#{pane_dead}"]);
    return stdout.trim() === "1";
  }

  /** Polls the screen until `pattern` shows (returns the screen), or fails with the screen after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let text = "";
    while (Date.now() < deadline) {
      text = await this.screen();
      if (pattern.test(text)) return text;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${pattern} on the screen:\n${text}`);
  }

  async waitForExit(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await this.exited()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the program did not exit within ${timeoutMs} ms:\n${await this.screen()}`);
  }

  async close(): Promise<void> {
    await this.#tmux(["kill-server"]).catch(() => {});
  }
}
