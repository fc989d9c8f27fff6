import { afterEach, describe, expect, it } from "vitest";
import { World, ask, eventually } from "../../helpers/harness.ts";
import { upload } from "../../helpers/files.ts";
import type { TestDaemon } from "../../helpers/daemon.ts";

type Json = Record<string, unknown>;

describe("files over their life", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  async function start(overrides: Parameters<World["daemon"]>[0] = {}): Promise<{ d: TestDaemon; token: string }> {
    const d = await world.daemon(overrides);
    const { welcome } = await world.signIn(d, "alice");
    return { d, token: welcome.token as string };
  }

  async function put(d: TestDaemon, token: string, text: string, name: string): Promise<Json> {
    const res = await upload(d.url, token, text, name);
    expect(res.status).toBe(201);
    return (await res.json()) as Json;
  }

  it("lists usage per user at GET /admin/files, and one user's files with ?user=", async () => {
    const { d, token } = await start();
    const { welcome: bob } = await world.signIn(d, "Bob");
    const a1 = await put(d, token, "12345", "a.txt");
    await put(d, token, "123", "b.txt");
    await put(d, bob.token as string, "1", "c.txt");
    const all = await d.http("/admin/files", { admin: true });
    expect(all.status).toBe(200);
    expect(await all.json()).toEqual({ users: [{ user: "alice", files: 2, bytes: 8 }, { user: "Bob", files: 1, bytes: 1 }], total: { files: 3, bytes: 9 } });
    const mine = (await (await d.http("/admin/files?user=ALICE", { admin: true })).json()) as { users: Json[]; files: Json[] };
    expect(mine.users).toEqual([{ user: "alice", files: 2, bytes: 8 }]);
    expect(mine.files.map((f) => f.name)).toEqual(["b.txt", "a.txt"]);
    expect(mine.files[1]).toEqual({ ...a1, owner: "alice", created: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), refs: 0 });
    const nobody = (await (await d.http("/admin/files?user=carol", { admin: true })).json()) as Json;
    expect(nobody).toMatchObject({ users: [], files: [] });
    expect((await d.http("/admin/files")).status).toBe(401);
  });

  it("removes one file at DELETE /admin/files/{id}; its URL answers 404 from then on", async () => {
    const { d, token } = await start();
    const file = await put(d, token, "bye", "bye.txt");
    expect((await d.http(`/admin/files/${file.id}`, { method: "DELETE" })).status).toBe(401);
    const res = await d.http(`/admin/files/${file.id}`, { method: "DELETE", admin: true });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ deleted: file.id });
    expect((await fetch(`${d.url}${file.url}`)).status).toBe(404);
    const again = await d.http(`/admin/files/${file.id}`, { method: "DELETE", admin: true });
    expect(again.status).toBe(404);
    expect(((await again.json()) as Json).error).toBe("not_found");
    expect((await d.http("/admin/files/..%2F..%2Fetc%2Fpasswd", { method: "DELETE", admin: true })).status).toBe(404);
  });

  it("deleting a message removes its files once no message refers to them (a user's delete and DELETE /admin/messages/{id})", async () => {
    const d = await world.daemon();
    const { client, welcome } = await world.member(d, "alice");
    const token = welcome.token as string;
    const own = await put(d, token, "mine alone", "own.txt");
    const both = await put(d, token, "shared twice", "both.txt");
    const first = await ask(client, { type: "say", room: "general", text: "one", files: [own.id, both.id] });
    const second = await ask(client, { type: "say", room: "general", text: "two", files: [both.id] });
    expect([first.type, second.type]).toEqual(["ack", "ack"]);
    // The deletion's ack comes once the files are let go of.
    expect(await ask(client, { type: "delete", id: first.id })).toMatchObject({ type: "ack", id: first.id });
    expect((await fetch(`${d.url}${own.url}`)).status).toBe(404);
    expect((await fetch(`${d.url}${both.url}`)).status).toBe(200);
    const res = await d.http(`/admin/messages/${second.id}`, { method: "DELETE", admin: true });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ deleted: second.id });
    expect((await fetch(`${d.url}${both.url}`)).status).toBe(404);
    const history = await client.request({ type: "history", room: "general" }, "history");
    expect(history.messages).toEqual([
      { type: "message", id: first.id, room: "general", from: "alice", ts: expect.any(Number), deleted: true },
      { type: "message", id: second.id, room: "general", from: "alice", ts: expect.any(Number), deleted: true },
    ]);
  });

  it("sweeps an upload never shared once files.unsharedTtlMs has passed, and keeps a shared one", async () => {
    const { d, token } = await start({ files: { unsharedTtlMs: 300 } });
    const lonely = await put(d, token, "nobody saw me", "lonely.txt");
    const shared = await put(d, token, "everyone saw me", "shared.txt");
    const files = d.daemon.files!;
    await files.resolveShared("alice", [shared.id as string]);
    await files.attach("1764100000000-000001", [shared.id as string]);
    await eventually(async () => (await fetch(`${d.url}${lonely.url}`)).status === 404, { what: "the unshared upload swept" });
    await new Promise((r) => setTimeout(r, 400));
    expect((await fetch(`${d.url}${shared.url}`)).status).toBe(200);
  });

  it("removes a shared file when the last message that refers to it is released", async () => {
    const { d, token } = await start();
    const file = await put(d, token, "twice", "twice.txt");
    const id = file.id as string;
    const files = d.daemon.files!;
    await files.attach("1764100000000-000001", [id]);
    await files.attach("1764100000000-000002", [id, id]);
    expect(await files.release("1764100000000-000001", [id])).toEqual([]);
    expect((await fetch(`${d.url}${file.url}`)).status).toBe(200);
    expect(await files.release("1764100000000-000002", [id])).toEqual([id]);
    expect((await fetch(`${d.url}${file.url}`)).status).toBe(404);
  });

  it("keeps files across a restart, in files.dir when it is set", async () => {
    const dir = await world.tempDir();
    const { d, token } = await start({ files: { dir } });
    const file = await put(d, token, "still here", "keep.txt");
    await d.daemon.stop();
    await d.daemon.start();
    const got = await fetch(`http://127.0.0.1:${d.daemon.port}${file.url}`);
    expect(await got.text()).toBe("still here");
    const { readdir } = await import("node:fs/promises");
    expect(await readdir(`${dir}/blobs`)).toEqual([file.id]);
  });
});
