import { describe, expect, it } from "vitest";
import { LOG_WRITE_BUCKETS, Metrics, measureEventLoopLag } from "../../../src/ops/metrics.ts";

const render = (m: Metrics) => m.render({ state: "starting", chat: undefined, process: undefined, eventLoopLagSeconds: 0.002 });

describe("the metrics registry", () => {
  it("writes HELP and TYPE before the samples of every metric", () => {
    const lines = render(new Metrics()).trimEnd().split("\n");
    const declared = new Set(lines.filter((l) => l.startsWith("# TYPE ")).map((l) => l.split(" ")[2]));
    for (const sample of lines.filter((l) => !l.startsWith("#"))) {
      const name = sample.split(/[{ ]/)[0]!.replace(/_(bucket|sum|count)$/, "");
      expect(declared.has(name) || declared.has(sample.split(/[{ ]/)[0]!), sample).toBe(true);
    }
    expect(lines).toContain("chatd_up 0");
    expect(lines).toContain("chatd_event_loop_lag_seconds 0.002");
  });

  it("keeps the chat-log histogram's buckets cumulative", () => {
    const m = new Metrics();
    for (const s of [0.0001, 0.003, 0.003, 0.2, 5]) m.observeLogWrite(s);
    const text = render(m);
    const bucket = (le: string) => Number(new RegExp(`chatd_chatlog_write_seconds_bucket\\{le="${le.replace(/[.+]/g, "\\$&")}"\\} (\\d+)`).exec(text)![1]);
    expect(bucket("0.0005")).toBe(1);
    expect(bucket("0.005")).toBe(3);
    expect(bucket("0.25")).toBe(4);
    expect(bucket(String(LOG_WRITE_BUCKETS.at(-1)))).toBe(4);
    expect(bucket("+Inf")).toBe(5);
    expect(text).toContain("chatd_chatlog_write_seconds_count 5");
    expect(text).toContain("chatd_chatlog_write_seconds_sum 5.2061");
  });

  it("measures event-loop lag as a non-negative number of seconds", async () => {
    expect(await measureEventLoopLag()).toBeGreaterThanOrEqual(0);
  });
});
