/// <reference lib="deno.ns" />
import type { Daemon } from "../../daemon.ts";
import { runConsoleCommand } from "../../ops/console.ts";

const encoder = new TextEncoder();

/** The interactive console on Deno: reads lines from stdin, prints answers. */
export async function startDenoConsole(daemon: Daemon): Promise<void> {
  const write = (text: string) => Deno.stdout.writeSync(encoder.encode(text));
  write("chatd console: type help for commands\nchatd> ");
  let buffered = "";
  for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      try {
        const answer = await runConsoleCommand(daemon, line);
        if (answer) write(answer + "\n");
      } catch (error) {
        write(`error: ${(error as Error).message}\n`);
      }
      write("chatd> ");
    }
  }
  // End of input closes the console, not the server.
}
