import { createInterface } from "node:readline";
import type { Daemon } from "../../daemon.ts";
import { runConsoleCommand } from "../../ops/console.ts";
import { flushStdoutLines } from "./stdout-lines.ts";

/** The interactive console on the terminal: a prompt that runs console commands. */
export function startNodeConsole(daemon: Daemon, input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout): () => void {
  const rl = createInterface({ input, output, prompt: "chatd> ", terminal: (input as NodeJS.ReadStream).isTTY === true });
  // Log lines still pending for stdout go first, so what a command logged comes before its answer.
  const write = (text: string) => {
    flushStdoutLines();
    output.write(text);
  };
  const prompt = () => {
    flushStdoutLines();
    rl.prompt();
  };
  // One command at a time, as on Deno: lines that arrive together (a pipe, a paste) are answered in order.
  let previous: Promise<void> = Promise.resolve();
  rl.on("line", (line) => {
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
  // End of input (Ctrl-D) closes the console, not the server.
  rl.on("close", () => {});
  write(`chatd console: type help for commands\n`);
  prompt();
  return () => rl.close();
}
