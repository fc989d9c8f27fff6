/**
 * One load-generator process. The orchestrator (bench/run.mjs) sends it
 * operations over IPC: open a group of connections, offer an open-loop rate of
 * messages from the group's senders, run a closed-loop ack test, ping, read and
 * reset counters, close a group. Deliveries are counted by frame type; latency
 * is read from the send stamp in the text on sampled connections only.
 */
import { RawWs } from "./ws-client.mjs";
import { IrcLines } from "./irc-client.mjs";
import { dialects, MESSAGE, ACK, PONG, ENGINE_PING, readStamp, readRef } from "./dialects.mjs";
import { Histogram, nowUs } from "../metrics/latency.mjs";

const PAD = "the quick brown fox jumps over the lazy dog";
const ENGINE_PONG = "3";

/** group name -> { dialect, conns } */
const groups = new Map();
let st = newStats();
/** The running closed-loop test, if any. */
let loop = null;
let pinger = null;

function newStats() {
  return { deliveries: 0, acks: 0, pongs: 0, other: 0, lost: 0, lat: new Histogram(), ackLat: new Histogram(), pongLat: new Histogram() };
}

function stampText() {
  return `~${Math.floor(nowUs())}~ ${PAD}`;
}

function onFrame(ws, opcode, buf, s, e) {
  const c = ws.c;
  if (opcode !== 1) return;
  if (!c.ready) {
    try {
      if (c.d.onSetup(c, buf.toString("utf8", s, e))) c.settle(true);
    } catch (error) {
      c.settle(false, error);
      ws.destroy();
    }
    return;
  }
  if (c.onHello) {
    c.onHello(buf.toString("utf8", s, e));
    return;
  }
  switch (c.d.classify(buf, s, e)) {
    case MESSAGE:
      st.deliveries++;
      if (c.sampled) {
        const t = c.d.stamp ? c.d.stamp(buf, s, e) : readStamp(buf, s, e);
        if (t > 0) st.lat.record(nowUs() - t);
      }
      // IRC with echo-message: the sender's own copy is its ack too.
      if (c.sender && c.d.isOwn?.(c, buf, s)) {
        st.acks++;
        if (c.unacked > 0) c.unacked--;
      }
      return;
    case ACK:
      st.acks++;
      if (c.unacked > 0) c.unacked--;
      if (c.closedLoop) onLoopAck(c, readRef(buf, s, e));
      return;
    case PONG: {
      st.pongs++;
      const t = readRef(buf, s, e);
      if (t > 0) st.pongLat.record(nowUs() - t);
      return;
    }
    case ENGINE_PING:
      ws.sendText(ENGINE_PONG);
      return;
    default:
      st.other++;
  }
}

function onClose(ws, error) {
  const c = ws.c;
  c.onHello?.(null);
  if (!c.ready) c.settle(false, error ?? new Error("closed during setup"));
  else if (!c.expectClose) st.lost++;
}

function group(name, dialect) {
  let g = groups.get(name);
  if (!g) groups.set(name, (g = { dialect, conns: [] }));
  return g;
}

/** Opens `specs` ({user, password?, token?, rooms, sender?, sample?}), `concurrency` at a time. */
function connect({ group: name, dialect, host, port, specs, concurrency, timeoutMs }) {
  const d = dialects[dialect];
  const g = group(name, dialect);
  return new Promise((resolve) => {
    const t0 = nowUs();
    let next = 0;
    let inflight = 0;
    let ready = 0;
    let failed = 0;
    let finished = false;
    const errors = [];
    const tokens = {};
    const pending = new Set();
    const timer = setTimeout(() => {
      for (const c of pending) {
        c.settle(false, new Error("setup timed out"));
        c.ws.destroy();
      }
    }, timeoutMs);

    const launch = () => {
      while (inflight < concurrency && next < specs.length) open(specs[next++]);
      if (inflight === 0 && next >= specs.length && !finished) {
        finished = true;
        clearTimeout(timer);
        resolve({ ready, failed, errors, ms: (nowUs() - t0) / 1000, tokens });
      }
    };

    const open = (spec) => {
      inflight++;
      const c = { spec, d, ready: false, settled: false, sampled: Boolean(spec.sample), sender: Boolean(spec.sender), closedLoop: false, inflight: 0, unacked: 0, expectClose: false };
      c.settle = (ok, error) => {
        if (c.settled) return;
        c.settled = true;
        pending.delete(c);
        inflight--;
        if (ok) {
          c.ready = true;
          ready++;
          if (c.token && c.token !== spec.token) tokens[spec.user] = c.token;
        } else {
          failed++;
          if (errors.length < 5) errors.push(String(error?.message ?? error));
        }
        launch();
      };
      pending.add(c);
      c.ws = new (d.transport === "irc" ? IrcLines : RawWs)({
        host,
        port,
        path: d.path(spec.user),
        onOpen: (ws) => {
          try {
            if (d.onOpen(c)) c.settle(true);
          } catch (error) {
            c.settle(false, error);
          }
        },
        onFrame,
        onClose,
      });
      c.ws.c = c;
      g.conns.push(c);
    };
    launch();
  });
}

function live(name, pick) {
  const g = groups.get(name);
  return g ? g.conns.filter((c) => c.ready && !c.ws.closed && pick(c)) : [];
}

/**
 * Open loop: `rate` messages/s from the group's senders, round-robin, for
 * `durationMs`. A sender with `maxUnacked` says unanswered skips its turn (the
 * message counts as offered but shed), so past saturation the backlog in the
 * server stays bounded and the next phase starts clean.
 */
function offer({ group: name, rate, durationMs, maxUnacked }) {
  const limit = maxUnacked > 0 ? maxUnacked : Infinity;
  const senders = live(name, (c) => c.sender);
  return new Promise((resolve) => {
    if (senders.length === 0 || rate <= 0) return resolve({ sent: 0, shed: 0, ms: 0 });
    for (const c of senders) c.unacked = 0;
    const total = Math.floor((rate * durationMs) / 1000);
    const t0 = nowUs();
    let turn = 0;
    let sent = 0;
    let shed = 0;
    const tick = () => {
      const elapsed = (nowUs() - t0) / 1000;
      const due = Math.min(total, Math.floor((rate * elapsed) / 1000));
      while (turn < due) {
        const c = senders[turn % senders.length];
        turn++;
        if (c.unacked >= limit) {
          shed++;
          continue;
        }
        c.unacked++;
        c.ws.sendText(c.d.say(c.spec.rooms[0], stampText()));
        sent++;
      }
      if (elapsed >= durationMs) {
        clearInterval(timer);
        resolve({ sent, shed, ms: elapsed });
      }
    };
    const timer = setInterval(tick, 2);
  });
}

function loopSend(c) {
  const t = Math.floor(nowUs());
  c.inflight++;
  loop.sent++;
  c.ws.sendText(c.d.say(c.spec.rooms[0], `~${t}~ ${PAD}`, t));
}

function onLoopAck(c, ref) {
  if (!loop) return;
  if (ref > 0) st.ackLat.record(nowUs() - ref);
  c.inflight--;
  if (loop.active) {
    loop.acked++;
    loopSend(c);
  } else if (--loop.outstanding === 0) loop.done();
}

/** Closed loop: each sender keeps `window` says in flight; a new one goes out on each ack. */
function closedLoop({ group: name, durationMs, window }) {
  const senders = live(name, (c) => c.sender);
  return new Promise((resolve) => {
    if (senders.length === 0) return resolve({ sent: 0, acked: 0, ms: 0 });
    loop = { active: true, sent: 0, acked: 0, outstanding: 0, done: () => {} };
    const t0 = nowUs();
    for (const c of senders) {
      c.closedLoop = true;
      c.inflight = 0;
      for (let k = 0; k < window; k++) loopSend(c);
    }
    setTimeout(() => {
      const ms = (nowUs() - t0) / 1000;
      const l = loop;
      l.active = false;
      l.outstanding = senders.reduce((n, c) => n + c.inflight, 0);
      const finish = () => {
        clearTimeout(grace);
        for (const c of senders) c.closedLoop = false;
        loop = null;
        resolve({ sent: l.sent, acked: l.acked, ms, unanswered: l.outstanding });
      };
      const grace = setTimeout(finish, 10_000);
      l.done = finish;
      if (l.outstanding <= 0) finish();
    }, durationMs);
  });
}

/**
 * Sends `hello {token}` on the group's connections opened with `deferHello`,
 * `concurrency` in flight, and times each until its `welcome`: a resume
 * without the TCP connect and WebSocket upgrade in front of it.
 */
function hellos({ group: name, concurrency }) {
  const conns = live(name, (c) => c.spec.deferHello && !c.helloSent);
  return new Promise((resolve) => {
    const lat = new Histogram();
    const errors = [];
    const t0 = nowUs();
    let next = 0;
    let inflight = 0;
    let ok = 0;
    let failed = 0;
    const launch = () => {
      while (inflight < concurrency && next < conns.length) send(conns[next++]);
      if (inflight === 0 && next >= conns.length) resolve({ ok, failed, errors, ms: (nowUs() - t0) / 1000, lat: lat.toJSON() });
    };
    const send = (c) => {
      inflight++;
      c.helloSent = true;
      const at = nowUs();
      c.onHello = (text) => {
        c.onHello = undefined;
        inflight--;
        const f = text === null ? { type: "closed" } : JSON.parse(text);
        if (f.type === "welcome") {
          ok++;
          lat.record(nowUs() - at);
        } else {
          failed++;
          if (errors.length < 5) errors.push(`${f.type} ${f.code ?? ""}`);
        }
        launch();
      };
      c.ws.sendText(c.d.hello(c.spec.token));
    };
    launch();
  });
}

/** Application-level ping from one connection every `intervalMs` (chatd: `ping`/`pong`). */
function ping({ group: name, intervalMs, action }) {
  if (action === "stop") {
    if (pinger) clearInterval(pinger);
    pinger = null;
    return {};
  }
  const c = live(name, () => true)[0];
  if (!c) return { started: false };
  pinger = setInterval(() => c.ws.sendText(c.d.ping(Math.floor(nowUs()))), intervalMs);
  return { started: true };
}

function stats({ reset }) {
  const out = { ...st, lat: st.lat.toJSON(), ackLat: st.ackLat.toJSON(), pongLat: st.pongLat.toJSON() };
  if (reset) st = newStats();
  return out;
}

async function close({ group: name }) {
  const g = groups.get(name);
  if (!g) return { closed: 0 };
  groups.delete(name);
  await Promise.all(
    g.conns.map(
      (c) =>
        new Promise((resolve) => {
          c.expectClose = true;
          if (c.ws.closed) return resolve();
          c.ws.sock.once("close", resolve);
          c.ws.destroy();
        }),
    ),
  );
  return { closed: g.conns.length };
}

const ops = { connect, offer, closedLoop, hellos, ping, stats, close };

process.on("message", async (msg) => {
  try {
    const result = await ops[msg.op](msg);
    process.send({ id: msg.id, result });
  } catch (error) {
    process.send({ id: msg.id, error: String(error?.stack ?? error) });
  }
});
process.on("disconnect", () => process.exit(0));
