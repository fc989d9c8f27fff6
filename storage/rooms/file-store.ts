import { mkdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../fs/atomic-write.ts";
import { StorageUnavailableError } from "../errors.ts";
import { keepModes, withModeChange, type RoomInfo, type RoomStore } from "./types.ts";

/**
 * The embedded room store: `<dataDir>/rooms.json`, kept in memory and written
 * whole, atomically (temp, fsync, rename). Writes asked for while one is
 * under way go out together in the next one, so a burst of joins costs a few
 * writes, not one each; each caller resolves once its change is on disk.
 * The file is written in pieces of a few KiB: with thousands of rooms, the
 * whole list as one string (a large object, one per write) was most of
 * what a storm of joins into new rooms left in the old generation.
 */
export function createFileRoomStore(dataDir: string): RoomStore {
  const path = join(dataDir, "rooms.json");
  const rooms = new Map<string, RoomInfo>();
  let writing: Promise<void> | undefined;
  let next: Promise<void> | undefined;

  async function writeNow(): Promise<void> {
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await writeFileAtomic(path, pieces(rooms.values()));
    } catch (error) {
      throw new StorageUnavailableError(`room store: cannot write ${path}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Resolves once a write that started after this call is done. */
  function save(): Promise<void> {
    if (!writing) {
      writing = writeNow().finally(() => (writing = undefined));
      return writing;
    }
    next ??= writing
      .catch(() => {})
      .then(() => {
        next = undefined;
        return save();
      });
    return next;
  }

  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw new StorageUnavailableError(`room store: cannot read ${path}: ${(error as Error).message}`, { cause: error });
      }
      let list: RoomInfo[];
      try {
        list = JSON.parse(text) as RoomInfo[];
      } catch (error) {
        throw new StorageUnavailableError(`room store: ${path} is not valid JSON`, { cause: error });
      }
      rooms.clear();
      for (const r of list) rooms.set(r.name, r);
      return list.map((r) => ({ ...r }));
    },
    async put(info) {
      const members = rooms.get(info.name)?.members ?? info.members;
      rooms.set(info.name, keepModes({ ...info, members }, rooms.get(info.name)));
      await save();
    },
    async changeMode(name, change) {
      const room = rooms.get(name);
      if (!room) return undefined;
      const next = withModeChange(room, change);
      rooms.set(name, next);
      await save();
      return { ...next };
    },
    async changeMembers(name, delta, now) {
      const room = rooms.get(name);
      if (!room) return undefined;
      room.members = Math.max(0, room.members + delta);
      if (room.members === 0) room.emptySince ??= now;
      else delete room.emptySince;
      const copy = { ...room };
      await save();
      return copy;
    },
    async get(name) {
      const room = rooms.get(name);
      return room && { ...room };
    },
    async remove(name) {
      if (rooms.delete(name)) await save();
    },
    async close() {
      await (next ?? writing)?.catch(() => {});
    },
  };
}

/** The JSON array of `rooms`, in pieces of about 16 KiB (what JSON.stringify of the array would give, joined). */
function* pieces(rooms: Iterable<RoomInfo>): Generator<string> {
  let piece = "[";
  let first = true;
  for (const room of rooms) {
    piece += (first ? "" : ",") + JSON.stringify(room);
    first = false;
    if (piece.length >= 16_384) {
      yield piece;
      piece = "";
    }
  }
  yield piece + "]";
}
