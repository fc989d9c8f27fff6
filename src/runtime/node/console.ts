import { clearScreenDown, createInterface, cursorTo, moveCursor } from "node:readline";
import type { Daemon } from "../../daemon.ts";
import { CONSOLE_PROMPT, runConsoleCommand } from "../../ops/console.ts";
import { flushStdoutLines, printLogLinesWith } from "./stdout-lines.ts";

/** The interactive console on the terminal: a prompt that runs console commands. */
export function startNodeConsole(
  daemon: Daemon,
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stdout,
  // A terminal in raw mode sends Ctrl-C to readline, not as a signal: pass it on, so it stops the daemon as SIGINT does.
  interrupt: () => void = () => process.kill(process.pid, "SIGINT"),
): () => void {
  const terminal = (input as NodeJS.ReadStream).isTTY === true;
  const rl = createInterface({ input, output, prompt: CONSOLE_PROMPT, terminal });
  // Log lines still pending for stdout go first, so what a command logged comes before its answer.
  const write = (text: string) => {
    flushStdoutLines();
    output.write(text);
  };
  /** Whether the prompt is on screen, waiting for a line (not while a command runs). */
  let prompting = false;
  const prompt = () => {
    flushStdoutLines();
    rl.prompt();
    prompting = true;
  };
  // On a terminal, a log line goes above the prompt: the prompt and what was typed so far are
  // erased, the line is written, and both are drawn again below it.
  if (terminal && (output as NodeJS.WriteStream).isTTY === true) {
    printLogLinesWith((line) => {
      if (!prompting) return void output.write(line + "\n");
      // Up to the prompt's first row: the cursor is `rows` below it when the typed text wraps.
      moveCursor(output, 0, -rl.getCursorPos().rows);
      cursorTo(output, 0);
      clearScreenDown(output);
      // readline redraws from as many rows up as it last drew below the prompt (prevRows,
      // not public; 0 unless the text wraps): the extra newlines are those rows, which it clears.
      const redrawnFrom = (rl as unknown as { prevRows?: number }).prevRows ?? 0;
      output.write(line + "\n" + "\n".repeat(redrawnFrom));
      rl.prompt(true);
    });
  }
  // One command at a time, as on Deno: lines that arrive together (a pipe, a paste) are answered in order.
  let previous: Promise<void> = Promise.resolve();
  rl.on("line", (line) => {
    prompting = false;
    previous = previous.then(async () => {
      try {
        const answer = await runConsoleCommand(daemon, line);
        if (answer) write(answer + "\n");
      } catch (error) {
        write(`error: ${(error as Error).message}\n`);
      }
      prompt();
    });
  });
  rl.on("SIGINT", interrupt);
  // End of input (Ctrl-D) closes the console, not the server.
  rl.on("close", () => {
    prompting = false;
    printLogLinesWith(undefined);
  });
  write(`chatd console: type help for commands\n`);
  prompt();
  return () => rl.close();
}
