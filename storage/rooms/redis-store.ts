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

/** Replaces everything but the member count and the roles and modes (MODE_FIELDS). */
const PUT = `
local old = redis.call('HGET', KEYS[1], ARGV[1])
local room = cjson.decode(ARGV[2])
if old then
  local prev = cjson.decode(old)
  room.members = prev.members
  room.emptySince = prev.emptySince
  room.operators = prev.operators
  room.voiced = prev.voiced
  room.topicLock = prev.topicLock
  room.secret = prev.secret
end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(room))
return 1
`;

/**
 * One change to the roles or modes (withModeChange in types.ts, in one step
 * on whichever node). An empty list is left out: cjson would write it as {}.
 */
const CHANGE_MODE = `
local info = redis.call('HGET', KEYS[1], ARGV[1])
if not info then return false end
local room = cjson.decode(info)
local mode = ARGV[2]
local on = ARGV[3] == '1'
if mode == 'topicLock' or mode == 'secret' then
  if on then room[mode] = true else room[mode] = nil end
else
  local field = 'voiced'
  if mode == 'operator' then field = 'operators' end
  local list = {}
  for _, u in ipairs(room[field] or {}) do
    if u ~= ARGV[4] then table.insert(list, u) end
  end
  if on then table.insert(list, ARGV[4]) end
  table.sort(list)
  if #list > 0 then room[field] = list else room[field] = nil end
end
local out = cjson.encode(room)
redis.call('HSET', KEYS[1], ARGV[1], out)
return out
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
    async changeMode(name, change) {
      const user = "user" in change ? change.user : "";
      const raw = await engine.run(() => engine.cmd.eval(CHANGE_MODE, 1, key(), name, change.mode, change.on ? "1" : "0", user) as Promise<string | null>);
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
