import { describe, expect, it } from "vitest";
import { abovePrompt, CONSOLE_PROMPT } from "../../../src/ops/console.ts";
import { Screen } from "../../helpers/screen.ts";

describe("abovePrompt (the Deno console's log lines)", () => {
  it("puts a log line where the prompt was and draws the prompt again below it", () => {
    const screen = new Screen();
    screen.write("chatd console: type help for commands\n" + CONSOLE_PROMPT);
    screen.write(abovePrompt("12:00:00.000 INFO  user kicked by=operator user=bob"));
    screen.write(abovePrompt("12:00:01.000 INFO  broadcast sent by=operator"));
    expect(screen.lines()).toEqual([
      "chatd console: type help for commands",
      "12:00:00.000 INFO  user kicked by=operator user=bob",
      "12:00:01.000 INFO  broadcast sent by=operator",
      "chatd>",
    ]);
    expect(screen.col).toBe(CONSOLE_PROMPT.length);
  });
});
