/**
 * Presence in Redis. Per node: `where:<node>` (fields `room\tuser`) and
 * `online:<node>` (user -> JSON). Per room: `members:<room>` (user -> number
 * of nodes where the user is in the room). Nodes: `nodes` (id -> JSON) and a
 * heartbeat key `node:<id>` that expires unless renewed.
 */

/** KEYS: where:<node>, members:<room>. ARGV: room\tuser, user. Returns 1 if first anywhere. */
export const ENTER = `
if redis.call('HSETNX', KEYS[1], ARGV[1], '1') == 0 then return 0 end
if redis.call('HINCRBY', KEYS[2], ARGV[2], 1) == 1 then return 1 end
return 0
`;

/** KEYS: where:<node>, members:<room>. ARGV: room\tuser, user. Returns 1 if gone everywhere. */
export const EXIT = `
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
if redis.call('HINCRBY', KEYS[2], ARGV[2], -1) <= 0 then
  redis.call('HDEL', KEYS[2], ARGV[2])
  return 1
end
return 0
`;

/**
 * Removes a node's users from every room and announces the leaves, unless its
 * heartbeat is still alive (ARGV[4] = '1' forces: a node clearing itself).
 * Each leave is a quit: the node's connections are gone (dead, stopping, or
 * cut off from Redis and closing them).
 * One script, so of several nodes reaping the same dead node exactly one does.
 * KEYS: where:<node>, online:<node>, nodes, node:<node>. ARGV: prefix, node id, channel, force.
 */
export const REAP = `
if ARGV[4] ~= '1' and redis.call('EXISTS', KEYS[4]) == 1 then return -1 end
local fields = redis.call('HKEYS', KEYS[1])
for _, f in ipairs(fields) do
  local tab = string.find(f, '\\t', 1, true)
  local room = string.sub(f, 1, tab - 1)
  local user = string.sub(f, tab + 1)
  local mk = ARGV[1] .. 'members:' .. room
  if redis.call('HINCRBY', mk, user, -1) <= 0 then
    redis.call('HDEL', mk, user)
    redis.call('PUBLISH', ARGV[3], cjson.encode({ kind = 'presence', room = room, user = user, event = 'leave', quit = true }))
  end
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[4])
redis.call('HDEL', KEYS[3], ARGV[2])
return #fields
`;
