/**
 * A minimal rooms chat on plain `ws`, the reference the benchmark measures chatd
 * against. Protocol (mirrors chatd's): connect to `/?user=<name>`, send
 * `{"type":"join","room"}` (answer `joined`), `{"type":"say","room","text","ref"?}`:
 * every member (the sender included) gets `{"type":"message","room","from","text","ts"}`
 * and the sender gets `{"type":"ack","ref"}`; `ping` gets `pong`.
 *
 * A broadcast is JSON-encoded once and framed once (`Sender.frame`), and those
 * same bytes are written to every member's TCP socket. With `cork`, each
 * recipient socket is corked at its first write in a turn of the event loop and
 * uncorked once in `setImmediate`, so a burst costs one write syscall per socket.
 */
import { WebSocketServer, Sender } from "ws";

const FRAME_OPTIONS = { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false };

export function frame(value) {
  const parts = Sender.frame(Buffer.from(JSON.stringify(value)), FRAME_OPTIONS);
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

export function startRoomsServer({ cork }) {
  const host = process.env.BENCH_HOST ?? "127.0.0.1";
  const port = Number(process.env.BENCH_PORT ?? 0);
  /** room -> Set of ws */
  const rooms = new Map();
  const corked = [];
  let flushScheduled = false;

  const flush = () => {
    flushScheduled = false;
    for (const sock of corked) {
      sock.benchCorked = false;
      sock.uncork();
    }
    corked.length = 0;
  };

  const writeTo = cork
    ? (sock, bytes) => {
        if (!sock.writable) return;
        if (!sock.benchCorked) {
          sock.benchCorked = true;
          sock.cork();
          corked.push(sock);
          if (!flushScheduled) {
            flushScheduled = true;
            setImmediate(flush);
          }
        }
        sock.write(bytes);
      }
    : (sock, bytes) => {
        if (sock.writable) sock.write(bytes);
      };

  const wss = new WebSocketServer({ host, port, clientTracking: false, perMessageDeflate: false, maxPayload: 65536 });
  wss.on("connection", (ws, req) => {
    const user = new URL(req.url ?? "/", "http://x").searchParams.get("user") ?? "anon";
    const joined = new Set();
    const sock = ws._socket;
    ws.on("message", (data, isBinary) => {
      if (isBinary) return;
      let m;
      try {
        m = JSON.parse(data);
      } catch {
        return;
      }
      if (m.type === "say") {
        const members = rooms.get(m.room);
        if (!members || !joined.has(m.room)) return;
        const bytes = frame({ type: "message", room: m.room, from: user, text: m.text, ts: Date.now() });
        for (const peer of members) writeTo(peer._socket, bytes);
        writeTo(sock, frame(m.ref === undefined ? { type: "ack" } : { type: "ack", ref: m.ref }));
      } else if (m.type === "join") {
        let members = rooms.get(m.room);
        if (!members) rooms.set(m.room, (members = new Set()));
        members.add(ws);
        joined.add(m.room);
        writeTo(sock, frame({ type: "joined", room: m.room }));
      } else if (m.type === "ping") {
        writeTo(sock, frame(m.ref === undefined ? { type: "pong" } : { type: "pong", ref: m.ref }));
      }
    });
    ws.on("close", () => {
      for (const name of joined) {
        const members = rooms.get(name);
        members?.delete(ws);
        if (members?.size === 0) rooms.delete(name);
      }
    });
  });
  wss.on("listening", () => console.log(JSON.stringify({ msg: "listening", port: wss.address().port, server: cork ? "corked-ws" : "plain-ws" })));
  process.on("SIGTERM", () => process.exit(0));
}
