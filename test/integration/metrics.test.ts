import { afterEach, describe, expect, it } from "vitest";
import { World, say } from "../helpers/harness.ts";

/** `name{labels} value` lines of a Prometheus text exposition, by series. */
function parse(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}

describe("GET /metrics", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("answers in the Prometheus text format without a token by default", async () => {
    const d = await world.daemon();
    const res = await d.http("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    expect(text).toContain("# TYPE chatd_messages_in_total counter");
    expect(text).toContain("# TYPE chatd_chatlog_write_seconds histogram");
    const m = parse(text);
    expect(m.get("chatd_up")).toBe(1);
    for (const name of ["process_resident_memory_bytes", "process_cpu_seconds_total", "process_start_time_seconds", "chatd_event_loop_lag_seconds"]) {
      expect(m.get(name), name).toBeGreaterThanOrEqual(0);
    }
    expect(m.get('chatd_runtime_info{runtime="node",version="' + process.versions.node + '"}')).toBe(1);
  });

  it("counts connections, sessions by state, sign-ins, messages, deliveries, rate limiting and chat-log writes", async () => {
    const d = await world.daemon({ limits: { messageBurst: 2, messagesPerSecond: 0.001 } });
    const alice = await world.member(d, "alice");
    await world.member(d, "bob");
    const failed = await world.connect(d);
    expect(await failed.request({ type: "hello", user: "alice", password: "wrong-password" }, "error")).toMatchObject({ code: "auth_failed" });
    await world.connect(d); // connected, never signs in

    await say(alice.client, "general", ["one", "two"]);
    alice.client.send({ type: "say", room: "general", text: "three", ref: "limited" });
    await alice.client.next("error");

    const m = parse(await (await d.http("/metrics")).text());
    expect(m.get("chatd_connections")).toBe(4);
    expect(m.get('chatd_sessions{state="active"}')).toBe(2);
    expect(m.get('chatd_sessions{state="authenticating"}')).toBe(2);
    expect(m.get("chatd_users_online")).toBe(2);
    expect(m.get('chatd_sign_ins_total{result="ok"}')).toBe(2);
    expect(m.get('chatd_sign_ins_total{result="failed"}')).toBe(1);
    expect(m.get("chatd_messages_in_total")).toBe(2);
    expect(m.get("chatd_messages_out_total")).toBe(2);
    expect(m.get("chatd_rate_limited_total")).toBe(1);
    expect(m.get("chatd_deliveries_total")).toBeGreaterThanOrEqual(4); // both messages to both members, plus welcomes and acks
    expect(m.get("chatd_chatlog_write_seconds_count")).toBe(2);
    expect(m.get('chatd_chatlog_write_seconds_bucket{le="+Inf"}')).toBe(2);
    expect(m.get("chatd_rooms")).toBeGreaterThanOrEqual(1);
  });

  it("counts token resumes, the second one answered from the cached account without waiting", async () => {
    const d = await world.daemon();
    const token = String((await world.member(d, "alice")).welcome.token);
    for (let i = 0; i < 2; i++) {
      const c = await world.connect(d);
      expect(await c.request({ type: "hello", token }, "welcome")).toMatchObject({ user: "alice" });
    }
    const bad = await world.connect(d);
    expect(await bad.request({ type: "hello", token: `${token.split(".")[0]}.${"A".repeat(43)}` }, "error")).toMatchObject({ code: "auth_failed" });
    const m = parse(await (await d.http("/metrics")).text());
    expect(m.get('chatd_sign_ins_total{result="ok"}')).toBe(3);
    expect(m.get('chatd_sign_ins_total{result="failed"}')).toBe(1);
  });

  it("keeps counting across a restart instead of starting again from zero", async () => {
    const d = await world.daemon();
    const alice = await world.member(d, "alice");
    await say(alice.client, "general", ["before"]);
    expect(d.daemon.request("RESTART").accepted).toBe(true);
    await d.daemon.settled();
    const again = await world.member(d, "alice");
    await say(again.client, "general", ["after"]);
    const m = parse(await (await d.http("/metrics")).text());
    expect(m.get("chatd_messages_in_total")).toBe(2);
    expect(m.get('chatd_sign_ins_total{result="ok"}')).toBe(2);
  });

  it("needs the admin token when metrics.public is false", async () => {
    const d = await world.daemon({ metrics: { public: false } });
    expect((await d.http("/metrics")).status).toBe(401);
    expect((await d.http("/metrics", { admin: true })).status).toBe(200);
  });
});
