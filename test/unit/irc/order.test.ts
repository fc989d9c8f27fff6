import { describe, expect, it } from "vitest";
import { ReplyOrder } from "../../../src/irc/order.ts";
import type { Reply } from "../../../src/irc/reply.ts";

const reply = () => ({}) as Reply;

describe("ReplyOrder", () => {
  it("holds the replies finished behind an open one, then lets them out in command order", () => {
    const order = new ReplyOrder();
    const [echo, join, pong] = [reply(), reply(), reply()];
    order.open(echo);
    order.open(join);
    expect(order.done(pong, "PONG\r\n")).toBe("");
    expect(order.done(join, "JOIN\r\n")).toBe("");
    expect(order.empty).toBe(false);
    expect(order.done(echo, "ECHO\r\n")).toBe("ECHO\r\nJOIN\r\nPONG\r\n");
    expect(order.empty).toBe(true);
  });

  it("lets a finished reply at the head out at once, and keeps only the open ones' followers on close", () => {
    const order = new ReplyOrder();
    const [a, b, c] = [reply(), reply(), reply()];
    order.open(a);
    order.open(b);
    expect(order.done(a, "A\r\n")).toBe("A\r\n");
    expect(order.done(c, "C\r\n")).toBe("");
    expect(order.finished()).toBe("C\r\n");
    expect(order.empty).toBe(true);
  });
});
