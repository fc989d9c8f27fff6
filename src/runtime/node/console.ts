import { createInterface } from "node:readline";
import type { Daemon } from "../../daemon.ts";
import { runConsoleCommand } from "../../ops/console.ts";

/** The interactive console on the terminal: a prompt that runs console commands. */
export function startNodeConsole(daemon: Daemon, input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout): () => void {
  const rl = createInterface({ input, output, prompt: "chatd> ", terminal: (input as NodeJS.ReadStream).isTTY === true });
  rl.on("line", async (line) => {
    try {
      const answer = await runConsoleCommand(daemon, line);
      if (answer) output.write(answer + "\n");
    } catch (error) {
      output.write(`error: ${(error as Error).message}\n`);
    }
    rl.prompt();
  });
  // End of input (Ctrl-D) closes the console, not the server.
  rl.on("close", () => {});
  output.write(`chatd console: type help for commands\n`);
  rl.prompt();
  return () => rl.close();
}
