/**
 * Peer 4: a Socket.IO 4 rooms chat, websocket transport only. Events: `join`
 * (room) -> `joined` {room}; `say` {room,text,ref?} -> `message`
 * {room,from,text,ts} to the room (sender included, via io.to(room)) and
 * `ack` {ref} to the sender.
 */
import { createServer } from "node:http";
import { Server } from "socket.io";

const host = process.env.BENCH_HOST ?? "127.0.0.1";
const port = Number(process.env.BENCH_PORT ?? 0);
const http = createServer();
const io = new Server(http, { transports: ["websocket"], serveClient: false, perMessageDeflate: false, httpCompression: false, maxHttpBufferSize: 65536 });

io.on("connection", (socket) => {
  const user = String(socket.handshake.query.user ?? "anon");
  socket.on("join", (room) => {
    socket.join(String(room));
    socket.emit("joined", { room });
  });
  socket.on("say", (m) => {
    if (!m || !socket.rooms.has(m.room)) return;
    io.to(m.room).emit("message", { room: m.room, from: user, text: m.text, ts: Date.now() });
    socket.emit("ack", m.ref === undefined ? {} : { ref: m.ref });
  });
});

http.listen(port, host, () => console.log(JSON.stringify({ msg: "listening", port: http.address().port, server: "socket.io" })));
process.on("SIGTERM", () => process.exit(0));
