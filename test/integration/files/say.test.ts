import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";
import type { TestCluster } from "../../helpers/cluster.ts";
import { PNG_2x3, put } from "../../helpers/files.ts";
import type { TestDaemon } from "../../helpers/daemon.ts";
import type { TestClient } from "../../helpers/client.ts";

type Json = Record<string, unknown>;

/** Sends and returns the `ack` or `error` that answers it (by ref). */
async function answer(client: TestClient, frame: Json): Promise<Json> {
  client.send(frame);
  for (;;) {
    const f = await client.next();
    if ((f.type === "ack" || f.type === "error") && f.ref === frame.ref) return f;
  }
}

describe("files shared in say and dm", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("delivers the files with the message, in history and joined, and keeps them across a restart", async () => {
    const d: TestDaemon = await world.daemon();
    const alice = await world.member(d, "alice");
    const bob = await world.member(d, "bob");
    const png = await put(d.url, alice.welcome.token, PNG_2x3, "dot.png");
    const txt = await put(d.url, alice.welcome.token, "notes", "notes.txt");
    expect(png).toMatchObject({ type: "image/png", width: 2, height: 3 });
    const ack = await answer(alice.client, { type: "say", room: "general", text: "look", files: [png.id, txt.id], ref: "s1" });
    expect(ack.type).toBe("ack");
    const got = await bob.client.next("message");
    expect(got).toEqual({ type: "message", id: ack.id, room: "general", from: "alice", text: "look", ts: ack.ts, files: [png, txt] });
    // The sender's own copy (read past by answer()).
    expect(alice.client.frames.find((m) => m.type === "message" && m.id === ack.id)!.files).toEqual([png, txt]);
    // Shared: the sweeper's reference count says so.
    const listed = (await (await d.http("/admin/files?user=alice", { admin: true })).json()) as { files: Json[] };
    expect(listed.files.map((f) => f.refs)).toEqual([1, 1]);

    const page = await bob.client.request({ type: "history", room: "general" }, "history");
    expect((page.messages as Json[]).at(-1)).toEqual(got);
    await d.daemon.stop();
    await d.daemon.start();
    const carol = await world.member(d, "carol");
    expect((carol.joined.history as Json[]).at(-1)).toEqual(got);
    const bytes = await fetch(`${d.url}${png.url}`);
    expect(bytes.status).toBe(200);
    expect(Buffer.from(await bytes.arrayBuffer())).toEqual(PNG_2x3);
  });

  it("sends files with no text (absent or empty), but not an empty message without files", async () => {
    const d = await world.daemon();
    const alice = await world.member(d, "alice");
    const f = await put(d.url, alice.welcome.token, "x", "x.txt");
    const ack = await answer(alice.client, { type: "say", room: "general", files: [f.id], ref: 1 });
    expect(ack.type).toBe("ack");
    expect(alice.client.frames.find((m) => m.type === "message" && m.id === ack.id)).toMatchObject({ text: "", files: [f] });
    expect((await answer(alice.client, { type: "say", room: "general", text: " ", files: [f.id], ref: 2 })).type).toBe("ack");
    expect(await answer(alice.client, { type: "say", room: "general", text: " ", files: [], ref: 3 })).toMatchObject({ type: "error", code: "bad_frame" });
    expect(await answer(alice.client, { type: "say", room: "general", ref: 4 })).toMatchObject({ type: "error", code: "bad_frame" });
  });

  it("answers bad_frame to more than 10 files and not_found to an unknown id or another user's file", async () => {
    const d = await world.daemon();
    const alice = await world.member(d, "alice");
    const bob = await world.member(d, "bob");
    const hers = await put(d.url, alice.welcome.token, "hers", "hers.txt");
    const ids = Array.from({ length: 11 }, () => hers.id);
    expect(await answer(alice.client, { type: "say", room: "general", text: "many", files: ids, ref: 1 })).toMatchObject({ type: "error", code: "bad_frame" });
    expect(await answer(bob.client, { type: "say", room: "general", text: "mine?", files: [hers.id], ref: 2 })).toMatchObject({ type: "error", code: "not_found" });
    expect(await answer(bob.client, { type: "dm", to: "alice", files: [hers.id], ref: 3 })).toMatchObject({ type: "error", code: "not_found" });
    expect(await answer(alice.client, { type: "say", room: "general", files: ["AAAAAAAAAAAAAAAAAAAAAA"], ref: 4 })).toMatchObject({ type: "error", code: "not_found" });
    expect(await answer(alice.client, { type: "say", room: "general", files: ["../../etc/passwd"], ref: 5 })).toMatchObject({ type: "error", code: "not_found" });
    // Nothing was sent, and the connection is still there.
    expect(bob.client.unread().filter((f) => f.type === "message")).toEqual([]);
    expect((await answer(alice.client, { type: "say", room: "general", text: "still here", ref: 6 })).type).toBe("ack");
  });

  it("carries files in dm frames and dm_history", async () => {
    const d = await world.daemon();
    const alice = await world.signIn(d, "alice");
    const bob = await world.signIn(d, "bob");
    const f = await put(d.url, alice.welcome.token, PNG_2x3, "map.png");
    const ack = await answer(alice.client, { type: "dm", to: "bob", files: [f.id], ref: 1 });
    expect(ack.type).toBe("ack");
    const got = await bob.client.next("dm");
    expect(got).toEqual({ type: "dm", id: ack.id, from: "alice", to: "bob", text: "", ts: ack.ts, files: [f] });
    const page = await bob.client.request({ type: "dm_history", with: "alice" }, "dm_history");
    expect(page.messages).toEqual([got]);
  });

  it("in a cluster: a file said on node 1 reaches node 2's member, who downloads it from node 2", async () => {
    const shared = await world.tempDir();
    const cluster = await world.cluster(2, { CHAT_FILES_DIR: shared });
    const [a, b] = cluster.nodes as [TestCluster["nodes"][0], TestCluster["nodes"][0]];
    const alice = await world.member(a, "alice");
    const bob = await world.member(b, "bob");
    const f = await put(`http://127.0.0.1:${a.port}`, alice.welcome.token, PNG_2x3, "shot.png");
    const ack = await answer(alice.client, { type: "say", room: "general", text: "from A", files: [f.id], ref: "c" });
    expect(ack.type).toBe("ack");
    const got = await bob.client.next("message");
    expect(got.files).toEqual([f]);
    const res = await fetch(`http://127.0.0.1:${b.port}${(got.files as Json[])[0]!.url}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(PNG_2x3);
    const page = await bob.client.request({ type: "history", room: "general" }, "history");
    expect((page.messages as Json[]).at(-1)).toEqual(got);
  });
});
