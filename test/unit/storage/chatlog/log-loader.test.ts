import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { indexFile } from "../../../../storage/chatlog/log-loader.ts";
import type { Location } from "../../../../storage/chatlog/room-index.ts";
import { formatId } from "../../../../storage/chatlog/ids.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "chatd-loader-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Hit = { id: string; room: string; at: Location };

async function index(text: string | Buffer): Promise<{ hits: Hit[]; warnings: unknown[]; bytes: Buffer }> {
  const path = join(dir, "chat.jsonl");
  await writeFile(path, text);
  const hits: Hit[] = [];
  const warnings: unknown[] = [];
  await indexFile(path, 3, (id, room, at) => hits.push({ id, room, at }), (message, fields) => warnings.push({ message, ...fields }));
  return { hits, warnings, bytes: await readFile(path) };
}

describe("indexFile", () => {
  it("finds every line's id, room and exact place, across 1 MiB read chunks", async () => {
    // Sizes chosen so lines straddle chunk edges, one spans several chunks.
    const sizes = [10, 1_048_500, 300, 2_500_000, 5, 1_048_576, 70_000];
    const records = sizes.map((n, i) => ({ id: formatId(1764100000000 + i, i), room: i % 2 ? "général" : 'we"ird\\room', from: "a", text: "é".repeat(n / 2), ts: 1 }));
    const { hits, warnings, bytes } = await index(records.map((r) => JSON.stringify(r)).join("\n") + "\n");
    expect(warnings).toEqual([]);
    expect(hits.map((h) => [h.id, h.room])).toEqual(records.map((r) => [r.id, r.room]));
    for (const [i, hit] of hits.entries()) {
      expect(hit.at.segment).toBe(3);
      expect(JSON.parse(bytes.toString("utf8", hit.at.offset, hit.at.offset + hit.at.length))).toEqual(records[i]);
    }
  });

  it("reads other field orders, CRLF and a last line without a newline by parsing them whole", async () => {
    const a = { room: "x", id: formatId(1764100000000, 0), text: "t" };
    const b = { id: formatId(1764100000001, 0), room: "y", kind: "edit" };
    const { hits, warnings } = await index(`${JSON.stringify(a)}\r\n${JSON.stringify(b)}`);
    expect(warnings).toEqual([]);
    expect(hits.map((h) => [h.id, h.room, h.at.offset])).toEqual([
      [a.id, "x", 0],
      [b.id, "y", JSON.stringify(a).length + 2],
    ]);
  });

  it("skips unreadable lines with their line number, and ids that are not message ids", async () => {
    const good = JSON.stringify({ id: formatId(1764100000000, 0), room: "r", from: "a", text: "t", ts: 1 });
    const { hits, warnings } = await index([good, '{"id":"1764100000000-000001","room":"r","fr', JSON.stringify({ id: "x", room: "r" }), "", good].join("\n"));
    expect(hits).toHaveLength(2);
    expect(warnings).toMatchObject([{ line: 2 }, { line: 3, error: "not a message id" }]);
  });
});
