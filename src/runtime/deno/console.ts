/// <reference lib="deno.ns" />
import type { Daemon } from "../../daemon.ts";
import { abovePrompt, CONSOLE_PROMPT, runConsoleCommand } from "../../ops/console.ts";

const encoder = new TextEncoder();
const write = (text: string) => Deno.stdout.writeSync(encoder.encode(text));

/** Whether the prompt is on the terminal, waiting for a line (not while a command runs). */
let prompting = false;
/** Whether log lines go above the prompt: the console runs and stdout is a terminal. */
let onTerminal = false;

/**
 * A log line for stdout. While the console's prompt shows on a terminal, the
 * prompt's line is cleared, the log line written, and the prompt drawn again
 * below it (text typed but not yet entered stays in the terminal's line buffer
 * and is sent with Enter, but is not drawn again: Deno reads plain lines).
 */
export function denoLogLine(line: string): void {
  if (onTerminal && prompting) write(abovePrompt(line));
  else console.log(line);
}

/** The interactive console on Deno: reads lines from stdin, prints answers. */
export async function startDenoConsole(daemon: Daemon): Promise<void> {
  onTerminal = Deno.stdout.isTerminal();
  const prompt = () => {
    write(CONSOLE_PROMPT);
    prompting = true;
  };
  write("chatd console: type help for commands\n");
  prompt();
  let buffered = "";
  for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      prompting = false;
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      try {
        const answer = await runConsoleCommand(daemon, line);
        if (answer) write(answer + "\n");
      } catch (error) {
        write(`error: ${(error as Error).message}\n`);
      }
      prompt();
    }
  }
  // End of input closes the console, not the server.
  prompting = false;
  onTerminal = false;
}
