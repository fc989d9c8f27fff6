/**
 * Lua run inside Redis. A script runs alone, so taking the next id, storing
 * the message and publishing it happen as one step: ids are unique and
 * increasing across every node, and every node receives messages in id order.
 */

/**
 * KEYS: last-id, room stream, rooms set, trimmed hash, dm-keys set.
 * ARGV: room, the draft as JSON (no id, no ts), cap, channel, '1' for a room ('0' for a DM),
 * not-after (Redis time in ms, see RedisEngine.notAfter; 0: none).
 * Returns the stored record as JSON, or nil (nothing stored) when run after
 * not-after: the node has given up on this append and told its sender so.
 */
export const APPEND = `
local t = redis.call('TIME')
local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local fence = tonumber(ARGV[6])
if fence > 0 and ms > fence then return false end
local seq = 0
local last = redis.call('GET', KEYS[1])
if last then
  local lms = tonumber(string.sub(last, 1, 13))
  local lseq = tonumber(string.sub(last, 15))
  -- A clock that stepped back (or another node's id in the same ms) never yields a lower id.
  if ms <= lms then
    ms = lms
    seq = lseq + 1
    if seq > 999999 then ms = ms + 1; seq = 0 end
  end
end
local id = string.format('%013d-%06d', ms, seq)
redis.call('SET', KEYS[1], id)
local rec = cjson.decode(ARGV[2])
rec['id'] = id
rec['ts'] = ms
local json = cjson.encode(rec)
local cap = tonumber(ARGV[3])
local len = redis.call('XLEN', KEYS[2])
if len >= cap then
  -- Remember the newest id dropped by the cap: it decides whether a gap can be filled.
  local dropped = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', len - cap + 1)
  redis.call('HSET', KEYS[4], ARGV[1], dropped[#dropped][1])
end
redis.call('XADD', KEYS[2], 'MAXLEN', cap, string.format('%d-%d', ms, seq), 'r', json)
if ARGV[5] == '1' then redis.call('SADD', KEYS[3], ARGV[1]) else redis.call('SADD', KEYS[5], ARGV[1]) end
redis.call('PUBLISH', ARGV[4], '{"kind":"message","record":' .. json .. '}')
return json
`;

/**
 * KEYS: room stream. ARGV: marker (stream id, or '' for none), cap.
 * Returns how many entries the stream keeps after the marker, counted inside
 * Redis: no entry leaves it. A marker near either end looks at 64 entries at
 * most (the common case: read lately, or long ago); one in the middle counts
 * the entries after it, at most cap (the stream's own cap).
 */
export const KEPT_AFTER = `
local len = redis.call('XLEN', KEYS[1])
if ARGV[1] == '' or len == 0 then return len end
local after = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', 64)
if #after < 64 then return #after end
local upto = redis.call('XRANGE', KEYS[1], '-', ARGV[1], 'COUNT', 64)
if #upto < 64 then return len - #upto end
return #redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2])
`;

/**
 * KEYS: room stream, trimmed hash. ARGV: room, max, min, count, channel, barrier.
 * Returns { newest dropped stream id or '', entries newest first }, and
 * publishes the barrier so the reader can line up with the bus (see RedisFeed).
 */
export const HISTORY = `
local entries = redis.call('XREVRANGE', KEYS[1], ARGV[2], ARGV[3], 'COUNT', ARGV[4])
local trimmed = redis.call('HGET', KEYS[2], ARGV[1])
redis.call('PUBLISH', ARGV[5], ARGV[6])
return { trimmed or '', entries }
`;
