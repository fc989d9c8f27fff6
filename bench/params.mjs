/** Scenario sizes for the full run and for `--quick` (the CI smoke test). */
export const FULL = {
  /** Pauses to let the server settle between steps. */
  pauseMs: 500,
  idle: { conns: 15000, roomSize: 10, idleMs: 3000 },
  fanout: { name: "fanout", conns: 1000, roomSize: 1000, sendersPerRoom: 10, rates: [25, 50, 100, 200, 400, 800], durationMs: 6000, sampleEvery: 20, maxUnacked: 8 },
  rooms: { name: "rooms", conns: 2000, roomSize: 10, sendersPerRoom: 1, rates: [1000, 2000, 4000, 8000], durationMs: 6000, sampleEvery: 5, maxUnacked: 8 },
  durable: { conns: 100, window: 2, durationMs: 8000 },
  signin: { users: 24, resumes: 1000, baselineMs: 1500 },
  cluster: { nodes: [1, 2, 3], conns: 600, senders: 6, rate: 200, durationMs: 6000, sampleEvery: 10, maxUnacked: 8 },
  history: { rooms: 100_000, bytes: 1024 ** 3, perRoom: 1000 },
  startup: { runs: 5 },
  floods: { baselineMs: 2000, typingMembers: 40, typingFrames: 30_000, historyMessages: 1000, historyReaders: 5, historyRequests: 100, refillMs: 5000, rooms: 100_000 },
  // Rates up to `repeatUpTo` take `turns` turns each (a 6 s turn's reading there moves ±10%); the summary gives their median.
  irc: { name: "irc", conns: 1000, roomSize: 1000, sendersPerRoom: 10, rates: [25, 50, 100, 200, 400, 800], durationMs: 6000, sampleEvery: 20, maxUnacked: 8, turns: 5, repeatUpTo: 50 },
};

export const QUICK = {
  pauseMs: 100,
  idle: { conns: 200, roomSize: 10, idleMs: 300 },
  fanout: { name: "fanout", conns: 200, roomSize: 200, sendersPerRoom: 10, rates: [100, 400], durationMs: 600, sampleEvery: 5, maxUnacked: 8 },
  rooms: { name: "rooms", conns: 200, roomSize: 10, sendersPerRoom: 1, rates: [1000, 4000], durationMs: 600, sampleEvery: 5, maxUnacked: 8 },
  durable: { conns: 20, window: 2, durationMs: 600 },
  signin: { users: 3, resumes: 50, baselineMs: 300 },
  cluster: { nodes: [1, 2, 3], conns: 60, senders: 3, rate: 100, durationMs: 600, sampleEvery: 5, maxUnacked: 8 },
  history: { rooms: 500, bytes: 16 * 1024 ** 2, perRoom: 100, quietMs: 1000 },
  startup: { runs: 1 },
  floods: { baselineMs: 300, typingMembers: 5, typingFrames: 2000, historyMessages: 200, historyReaders: 2, historyRequests: 5, refillMs: 0, rooms: 1000 },
  irc: { name: "irc", conns: 200, roomSize: 200, sendersPerRoom: 10, rates: [100, 400, 1600], durationMs: 600, sampleEvery: 5, maxUnacked: 8 },
};

/** How many `uN` accounts a parameter set needs. */
export function usersNeeded(p) {
  return Math.max(p.fanout.conns, p.rooms.conns, p.irc.conns, p.durable.conns, p.idle.conns, p.signin.resumes + 1);
}
