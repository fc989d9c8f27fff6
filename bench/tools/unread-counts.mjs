/**
 * Unread counts at sign-in (issue 22's bounded work): a user in `rooms` rooms
 * of `perRoom` unread messages each, over the JSON-lines log just reopened
 * (only the index in memory, as after a restart). Measured in the same run:
 * `welcomeState` as it counts now (records kept after the marker from the
 * index, the newest 50 a room and 500 in all read) against its peer, the
 * former count (every kept record after the marker read, per room). Reports
 * records read and time per sign-in, and the ratio. Needs `npm run build`.
 *
 *   node bench/tools/unread-counts.mjs [rooms=200] [perRoom=500]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const { createJsonlLog } = await import("../../dist/storage/chatlog/jsonl-log.js");
const { createEmbeddedBroker } = await import("../../dist/storage/broker/embedded-broker.js");
const { welcomeState, UNREAD_READ_TOTAL } = await import("../../dist/src/chat/state/user-state.js");

const rooms = Number(process.argv[2] ?? 200);
const perRoom = Number(process.argv[3] ?? 500);
const dataDir = mkdtempSync(join(tmpdir(), "chatd-bench-unread-"));
const open = async () => {
  const log = createJsonlLog({ dataDir, historyPerRoom: 1000, fsync: false });
  await log.open();
  return log;
};

const names = Array.from({ length: rooms }, (_, i) => `room${i}`);
{
  const log = await open();
  const pending = [];
  for (let j = 0; j < perRoom; j++) for (const room of names) pending.push(log.append({ room, from: "bob", text: `message ${j} in ${room}, long enough to look like chat` }));
  await Promise.all(pending);
  await log.close();
}
const user = { key: "alice", name: "alice", rooms: names, reads: {}, conversations: [] };

/** One sign-in's counts over a freshly reopened log; records read and ms. */
async function measure(count) {
  const log = await open();
  const broker = createEmbeddedBroker(log);
  let records = 0;
  const counted = { ...broker, history: async (room, q) => { const p = await broker.history(room, q); records += p.messages.length; return p; } };
  const start = performance.now();
  await count(counted);
  const ms = performance.now() - start;
  await log.close();
  return { records, ms };
}
const now = (b) => welcomeState(b, user, UNREAD_READ_TOTAL, () => false);
// The former count: every room's kept history after the marker (none here), read whole.
const former = (b) => Promise.all(names.map((room) => b.history(room, { limit: 1000 })));

const runs = { now: [], former: [] };
for (let i = 0; i < 3; i++) {
  runs.former.push(await measure(former));
  runs.now.push(await measure(now));
}
const median = (xs) => xs.map((x) => x.ms).sort((a, b) => a - b)[1];
const out = {
  rooms,
  unreadPerRoom: perRoom,
  recordsRead: { now: runs.now[0].records, former: runs.former[0].records },
  msPerSignIn: { now: Math.round(median(runs.now) * 10) / 10, former: Math.round(median(runs.former) * 10) / 10 },
};
out.ratio = Math.round((out.msPerSignIn.former / out.msPerSignIn.now) * 10) / 10;
console.log(JSON.stringify(out));
rmSync(dataDir, { recursive: true, force: true });
