import type { RedisEngine } from "../redis/engine.ts";
import type { RoomInfo, RoomStore } from "./types.ts";

/** Member count and emptySince change in one step, on whichever node. */
const CHANGE_MEMBERS = `
local info = redis.call('HGET', KEYS[1], ARGV[1])
if not info then return false end
local room = cjson.decode(info)
local n = (tonumber(room.members) or 0) + tonumber(ARGV[2])
if n < 0 then n = 0 end
room.members = n
if n == 0 then
  if not room.emptySince then room.emptySince = tonumber(ARGV[3]) end
else
  room.emptySince = nil
end
local out = cjson.encode(room)
redis.call('HSET', KEYS[1], ARGV[1], out)
return out
`;

/** Replaces everything but the member count. */
const PUT = `
local old = redis.call('HGET', KEYS[1], ARGV[1])
local room = cjson.decode(ARGV[2])
if old then
  local prev = cjson.decode(old)
  room.members = prev.members
  room.emptySince = prev.emptySince
end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(room))
return 1
`;

/** Room state in one Redis hash, `<prefix>room-state`: room name -> JSON. */
export function createRedisRoomStore(engine: RedisEngine): RoomStore {
  // Not `rooms`: the chat log keeps its set of rooms with history under that key.
  const key = () => engine.key("room-state");
  return {
    async load() {
      const all = await engine.run(() => engine.cmd.hgetall(key()));
      return Object.values(all).map((raw) => JSON.parse(raw) as RoomInfo);
    },
    async put(info) {
      await engine.run(() => engine.cmd.eval(PUT, 1, key(), info.name, JSON.stringify(info)) as Promise<number>);
    },
    async changeMembers(name, delta, now) {
      const raw = await engine.run(() => engine.cmd.eval(CHANGE_MEMBERS, 1, key(), name, String(delta), String(now)) as Promise<string | null>);
      return raw ? (JSON.parse(raw) as RoomInfo) : undefined;
    },
    async get(name) {
      const raw = await engine.run(() => engine.cmd.hget(key(), name));
      return raw === null ? undefined : (JSON.parse(raw) as RoomInfo);
    },
    async remove(name) {
      await engine.run(() => engine.cmd.hdel(key(), name));
    },
    async close() {},
  };
}
