import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { signIn, type Frame } from "../helpers/client.ts";
import { startDaemon, type TestDaemon } from "../helpers/daemon.ts";
import { startCluster, type TestCluster } from "../helpers/cluster.ts";
import { upload } from "../helpers/files.ts";

const started: Array<TestDaemon | TestCluster> = [];
afterAll(async () => {
  for (const d of started) await d.close();
});

describe("search on one daemon", () => {
  it("finds the user's room messages and own conversations, with highlights, newest first", async () => {
    const d = await startDaemon({ limits: { searchesPerSecond: 100, searchBurst: 100 } });
    started.push(d);
    const ann = (await signIn(d.wsUrl, "ann")).client;
    const bob = (await signIn(d.wsUrl, "bob")).client;
    const eve = (await signIn(d.wsUrl, "eve")).client;
    await ann.request({ type: "join", room: "ops" }, "joined");
    await bob.request({ type: "join", room: "ops" }, "joined");
    await ann.request({ type: "say", room: "ops", text: "Le Café is open", ref: 1 }, "ack");
    await bob.request({ type: "say", room: "ops", text: "deploy to the cafe server", ref: 2 }, "ack");
    await ann.request({ type: "dm", to: "bob", text: "secret cafe plans", ref: 3 }, "ack");
    await eve.request({ type: "join", room: "hidden" }, "joined");
    await eve.request({ type: "say", room: "hidden", text: "cafe for eve only", ref: 4 }, "ack");

    const r = await ann.request({ type: "search", q: "cafe" }, "results");
    expect(r.q).toBe("cafe");
    const texts = (r.messages as Frame[]).map((m) => m.text);
    expect(texts).toEqual(["secret cafe plans", "deploy to the cafe server", "Le Café is open"]);
    expect((r.messages as Frame[])[0]).toMatchObject({ type: "dm", from: "ann", to: "bob", highlights: [[7, 11]] });
    expect((r.messages as Frame[])[2]).toMatchObject({ type: "message", room: "ops", highlights: [[3, 7]] });
    expect(r.complete).toBe(true);

    const phrase = await ann.request({ type: "search", q: '"deploy to" from:bob in:ops' }, "results");
    expect((phrase.messages as Frame[]).map((m) => m.text)).toEqual(["deploy to the cafe server"]);
    const prefix = await ann.request({ type: "search", q: "deplo", limit: 1 }, "results");
    expect(prefix.messages).toHaveLength(1);
    const withBob = await ann.request({ type: "search", q: "cafe", with: "bob" }, "results");
    expect((withBob.messages as Frame[]).map((m) => m.text)).toEqual(["secret cafe plans"]);
    const paged = await ann.request({ type: "search", q: "cafe", limit: 2 }, "results");
    expect(paged.complete).toBe(false);
    const older = await ann.request({ type: "search", q: "cafe", before: (paged.messages as Frame[])[1]!.id }, "results");
    expect((older.messages as Frame[]).map((m) => m.text)).toEqual(["Le Café is open"]);
    const bad = await ann.request({ type: "search", q: "x", before: "nope" }, "results", "error");
    expect(bad).toMatchObject({ type: "error", code: "bad_frame" });
    for (const c of [ann, bob, eve]) await c.close();
  });

  it("searches only the rooms joined and not left, narrows by room, finds file names, caps limit, refuses a long q", async () => {
    const d = await startDaemon({ limits: { searchesPerSecond: 100, searchBurst: 100 } });
    started.push(d);
    const { client: ann, welcome } = await signIn(d.wsUrl, "ann");
    await ann.request({ type: "join", room: "ops" }, "joined");
    await ann.request({ type: "join", room: "dev" }, "joined");
    await ann.request({ type: "say", room: "ops", text: "budget review", ref: 1 }, "ack");
    await ann.request({ type: "say", room: "dev", text: "budget for servers", ref: 2 }, "ack");
    const file = (await (await upload(d.url, welcome.token as string, "%PDF-1.4 numbers", "Quarterly-Report.pdf")).json()) as { id: string };
    await ann.request({ type: "say", room: "dev", text: "see attached", files: [file.id], ref: 3 }, "ack");

    const byName = await ann.request({ type: "search", q: "quarterly" }, "results");
    expect((byName.messages as Frame[]).map((m) => [m.text, m.highlights])).toEqual([["see attached", []]]);
    expect((byName.messages as Frame[])[0]!.files).toEqual([expect.objectContaining({ id: file.id, name: "Quarterly-Report.pdf" })]);
    const inOps = await ann.request({ type: "search", q: "budget", room: "ops" }, "results");
    expect((inOps.messages as Frame[]).map((m) => m.text)).toEqual(["budget review"]);
    const many = await ann.request({ type: "search", q: "budget", limit: 500 }, "results");
    expect(many.messages).toHaveLength(2);
    await ann.request({ type: "leave", room: "dev" }, "left");
    const afterLeave = await ann.request({ type: "search", q: "budget" }, "results");
    expect((afterLeave.messages as Frame[]).map((m) => m.text)).toEqual(["budget review"]);
    const long = await ann.request({ type: "search", q: "x".repeat(501), ref: 4 }, "results", "error");
    expect(long).toMatchObject({ type: "error", code: "bad_frame", ref: 4 });
    const none = await ann.request({ type: "search", q: "!!! from:ann" }, "results");
    expect(none).toMatchObject({ messages: [], complete: true });
    await ann.close();
  });

  it("finds messages across rotated log files, and no longer those in files rotation deleted", async () => {
    const d = await startDaemon({ chatLog: { maxBytes: 1500, keepFiles: 1 }, limits: { searchesPerSecond: 100, searchBurst: 100, messagesPerSecond: 1000, messageBurst: 1000 } });
    started.push(d);
    const { client } = await signIn(d.wsUrl, "ann");
    await client.request({ type: "join", room: "logs" }, "joined");
    for (let i = 0; i < 60; i++) await client.request({ type: "say", room: "logs", text: `rotword number ${i}`, ref: i }, "ack");
    const r = await client.request({ type: "search", q: "rotword", limit: 100 }, "results");
    const found = (r.messages as Frame[]).map((m) => Number(String(m.text).split(" ")[2]));
    // The newest ones, newest first, in the current file and the one rotated file kept; the oldest are gone.
    expect(found.length).toBeGreaterThanOrEqual(14); // a whole rotated file (about 15 lines of 1500 bytes) at least
    expect(found.length).toBeLessThan(60);
    expect(found).toEqual(Array.from({ length: found.length }, (_, k) => 59 - k));
    expect(r.complete).toBe(true);
    await client.close();
  });

  it("finds an edited message by its new text only (as history shows it), a deleted one never, also after a restart", async () => {
    const d = await startDaemon({ limits: { searchesPerSecond: 100, searchBurst: 100 } });
    const { client: ann } = await signIn(d.wsUrl, "ann");
    await ann.request({ type: "join", room: "ops" }, "joined");
    const typo = await ann.request({ type: "say", room: "ops", text: "deploy teh release", ref: 1 }, "ack");
    const gone = await ann.request({ type: "say", room: "ops", text: "deploy secret token", ref: 2 }, "ack");
    await ann.request({ type: "edit", id: typo.id, text: "deploy the release", ref: 3 }, "ack");
    await ann.request({ type: "delete", id: gone.id, ref: 4 }, "ack");
    const check = async (client: typeof ann) => {
      expect((await client.request({ type: "search", q: "teh" }, "results")).messages).toEqual([]);
      expect((await client.request({ type: "search", q: "secret" }, "results")).messages).toEqual([]);
      const found = (await client.request({ type: "search", q: "deploy" }, "results")).messages as Frame[];
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ id: typo.id, text: "deploy the release", highlights: [[0, 6]] });
      expect(typeof found[0]!.editedAt).toBe("number");
      const phrase = (await client.request({ type: "search", q: '"the release"' }, "results")).messages as Frame[];
      expect(phrase.map((m) => [m.id, m.highlights])).toEqual([[typo.id, [[7, 18]]]]);
    };
    await check(ann);
    await ann.close();
    const dataDir = d.dataDir;
    await d.close({ keepData: true });
    const again = await startDaemon({ limits: { searchesPerSecond: 100, searchBurst: 100 } }, { dataDir });
    started.push(again);
    // Membership is stored: no join needed after the restart.
    const { client } = await signIn(again.wsUrl, "ann");
    await expect.poll(async () => (await client.request({ type: "search", q: "release" }, "results", "error")).type, { timeout: 10_000 }).toBe("results");
    await check(client);
    await client.close();
  });

  it("rate-limits search in its own bucket", async () => {
    const d = await startDaemon({ limits: { searchesPerSecond: 0.1, searchBurst: 2 } });
    started.push(d);
    const { client } = await signIn(d.wsUrl, "ann");
    await client.request({ type: "search", q: "a" }, "results");
    await client.request({ type: "search", q: "a" }, "results");
    const refused = await client.request({ type: "search", q: "a", ref: 9 }, "results", "error");
    expect(refused).toMatchObject({ type: "error", code: "rate_limited", ref: 9 });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    await client.close();
  });

  it("rebuilds the index from the log after a restart, answering unavailable meanwhile while chat goes on", async () => {
    const first = await startDaemon();
    const dataDir = first.dataDir;
    await first.close({ keepData: true });
    // A kept log large enough, rebuilt one record per slice, that the rebuild is seen.
    const lines: string[] = [];
    for (let i = 1; i <= 3000; i++) {
      lines.push(JSON.stringify({ id: `1764100000000-${String(i).padStart(6, "0")}`, room: "general", from: "old", text: `archived note ${i}`, ts: 1764100000000 }));
    }
    await mkdir(join(dataDir, "chat"), { recursive: true });
    await writeFile(join(dataDir, "chat", "chat.1.jsonl"), lines.slice(0, 1000).join("\n") + "\n");
    await writeFile(join(dataDir, "chat", "chat.jsonl"), lines.slice(1000).join("\n") + "\n");
    const d = await startDaemon({ limits: { searchRebuildChunk: 1, searchesPerSecond: 100, searchBurst: 100 } }, { dataDir });
    started.push(d);
    const { client } = await signIn(d.wsUrl, "ann");
    const busy = await client.request({ type: "search", q: "archived", ref: 1 }, "results", "error");
    expect(busy).toMatchObject({ type: "error", code: "unavailable", ref: 1 });
    expect(busy.retryAfterMs).toBeGreaterThan(0);
    // Chat is not blocked by the rebuild.
    await client.request({ type: "join", room: "general" }, "joined");
    await client.request({ type: "say", room: "general", text: "fresh words", ref: 2 }, "ack");
    await expect
      .poll(async () => (await client.request({ type: "search", q: "archived note 1", ref: 3 }, "results", "error")).type, { timeout: 60_000, interval: 500 })
      .toBe("results");
    const r = await client.request({ type: "search", q: '"archived note" 1' }, "results");
    expect((r.messages as Frame[])[0]).toMatchObject({ text: "archived note 1999" });
    const fresh = await client.request({ type: "search", q: "fresh" }, "results");
    expect((fresh.messages as Frame[]).map((m) => m.text)).toEqual(["fresh words"]);
    await client.close();
  }, 90_000);
});

describe("search in a cluster", () => {
  it("a node started later builds its index from the Redis streams, every room and conversation in id order", async () => {
    const cluster = await startCluster(1);
    started.push(cluster);
    const a = (await signIn(cluster.nodes[0]!.wsUrl, "ann")).client;
    await (await signIn(cluster.nodes[0]!.wsUrl, "bob")).client.close();
    await a.request({ type: "join", room: "red" }, "joined");
    await a.request({ type: "join", room: "blue" }, "joined");
    const said: string[] = [];
    for (let i = 0; i < 6; i++) {
      const text = `shared word ${i}`;
      if (i % 3 === 0) await a.request({ type: "say", room: "red", text, ref: i }, "ack");
      else if (i % 3 === 1) await a.request({ type: "say", room: "blue", text, ref: i }, "ack");
      else await a.request({ type: "dm", to: "bob", text, ref: i }, "ack");
      said.push(text);
    }
    await a.close();
    const late = await cluster.add("node-2");
    const b = (await signIn(late.wsUrl, "ann")).client;
    await b.request({ type: "join", room: "red" }, "joined");
    await b.request({ type: "join", room: "blue" }, "joined");
    await expect
      .poll(async () => {
        const r = await b.request({ type: "search", q: "shared wor" }, "results", "error");
        return r.type === "results" ? (r.messages as Frame[]).map((m) => m.text) : r.code;
      }, { timeout: 20_000, interval: 600 })
      .toEqual([...said].reverse());
    const page = await b.request({ type: "search", q: '"shared word"', limit: 2 }, "results");
    expect(page).toMatchObject({ complete: false });
    expect((page.messages as Frame[]).map((m) => m.highlights)).toEqual([[[0, 11]], [[0, 11]]]);
    await b.close();
  }, 60_000);

  it("finds on node B a message stored on node A", async () => {
    const cluster = await startCluster(2);
    started.push(cluster);
    const a = (await signIn(cluster.nodes[0]!.wsUrl, "ann")).client;
    const b = (await signIn(cluster.nodes[1]!.wsUrl, "bea")).client;
    await a.request({ type: "join", room: "lobby" }, "joined");
    await b.request({ type: "join", room: "lobby" }, "joined");
    await a.request({ type: "say", room: "lobby", text: "kubernetes rollout", ref: 1 }, "ack");
    await expect
      .poll(async () => ((await b.request({ type: "search", q: "kube" }, "results")).messages as Frame[]).map((m) => m.text), { timeout: 10_000 })
      .toEqual(["kubernetes rollout"]);
    await a.close();
    await b.close();
  }, 60_000);
});
