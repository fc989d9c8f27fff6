import { describe, expect, it } from "vitest";
import { Reply, type ReplySink } from "../../../src/irc/reply.ts";

function sink(labels = false, batches = false) {
  const writes: string[] = [];
  const write = (text: string) => void writes.push(text);
  const s: ReplySink = { labels, batches, server: "chatd", write, replied: (_reply, text) => write(text), batchId: () => "b1" };
  return { s, writes };
}

describe("Reply", () => {
  it("writes a reply of many lines (a JOIN's NAMES in a big channel) in one write, lines in order", () => {
    const { s, writes } = sink();
    const out = new Reply(s, undefined);
    for (let i = 0; i < 20; i++) out.add("chatd", "353", ["me", "=", "#r", `n${i}`]);
    out.add("chatd", "366", ["me", "#r", "End of /NAMES list"], [["time", "t"]]);
    out.release();
    expect(writes).toHaveLength(1);
    const lines = writes[0]!.split("\r\n");
    expect(lines).toHaveLength(22);
    expect(lines[0]).toBe(":chatd 353 me = #r n0");
    expect(lines[20]).toBe("@time=t :chatd 366 me #r :End of /NAMES list");
  });

  it("labels the first line of an unbatched labeled reply, still in one write", () => {
    const { s, writes } = sink(true, false);
    const out = new Reply(s, "x1");
    out.add("chatd", "NOTICE", ["me", "one"]);
    out.add("chatd", "NOTICE", ["me", "two"]);
    out.release();
    expect(writes).toEqual(["@label=x1 :chatd NOTICE me one\r\n:chatd NOTICE me two\r\n"]);
  });

  it("hands over an unlabeled reply without lines as empty text", () => {
    const { s, writes } = sink();
    new Reply(s, undefined).release();
    expect(writes).toEqual([""]);
  });
});
