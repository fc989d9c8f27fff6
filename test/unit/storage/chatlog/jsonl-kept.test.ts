import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createJsonlLog, type JsonlLog } from "../../../../storage/chatlog/jsonl-log.ts";
import type { KeptRecord } from "../../../../storage/chatlog/kept.ts";

let dataDir: string;
let log: JsonlLog | undefined;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "chatd-kept-"));
});
afterEach(async () => {
  await log?.close();
  log = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

const line = (n: number, room: string, text: string) => JSON.stringify({ id: `1764100000000-${String(n).padStart(6, "0")}`, room, from: "ann", text, ts: 1764100000000 });

describe("createJsonlLog().kept (what search reads of the embedded log)", () => {
  it("scans the rotated files then the current one, skipping unreadable lines, and reads records back by place", async () => {
    await mkdir(join(dataDir, "chat"), { recursive: true });
    // A rotated file's last line without "\\n" is whole; an unreadable line is skipped.
    await writeFile(join(dataDir, "chat", "chat.1.jsonl"), `${line(1, "red", "one")}\nnot json\n${line(2, "blue", "twö")}`);
    await writeFile(join(dataDir, "chat", "chat.jsonl"), `${line(3, "red", "three")}\n`);
    log = createJsonlLog({ dataDir, historyPerRoom: 100, fsync: false });
    await log.open();
    const seen: KeptRecord[] = [];
    await log.kept.scan(async (chunk) => void seen.push(...chunk));
    expect(seen.map((r) => ("text" in r.record ? r.record.text : r.record.kind))).toEqual(["one", "twö", "three"]);
    expect(seen.every((r) => r.at !== undefined)).toBe(true);

    const stored = await log.append({ room: "red", from: "ann", text: "four" });
    const at = log.kept.placeOf(stored);
    expect(at).toBeDefined();
    // Asked newest first (as search does); each comes back in the order asked.
    const refs = [{ room: "red", id: stored.id, at }, ...[...seen].reverse().map((r) => ({ room: r.record.room, id: r.record.id, at: r.at }))];
    const back = await log.kept.read(refs);
    expect(back.map((r) => r && "text" in r && r.text)).toEqual(["four", "three", "twö", "one"]);
    // A place that holds another record, or no place: undefined.
    expect(await log.kept.read([{ room: "red", id: stored.id, at: seen[0]!.at }, { room: "red", id: stored.id, at: undefined }])).toEqual([undefined, undefined]);
    expect(log.kept.keptFrom()).toBe(0);
  });
});
