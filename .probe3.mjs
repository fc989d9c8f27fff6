import { createActor, setup } from "xstate";
import v8 from "node:v8";
import { sessionMachine } from "/work/wt-memory/dist/actors/session.js";
import { Session } from "/work/wt-memory/dist/src/chat/session.js";
const N = 2000;
const chat = { authenticate: async () => ({ user: { key: "a", name: "a", role: "user" }, token: "t", created: false }), signedIn() {}, handle() {}, fail() {}, disconnect() {} };
const peer = { send() {}, close() {}, bufferedAmount: 0, remoteAddress: "127.0.0.1" };
const keep = [];
for (let i = 0; i < N; i++) keep.push(new Session(peer, { messagesPerSecond: 1, messageBurst: 1 }));
const root = createActor(setup({}).createMachine({})).start();
const warm = createActor(sessionMachine, { input: { session: keep[0], chat, authTimeoutMs: 10000 } }).start(); warm.send({ type: "FRAME", frame: { type: "hello", token: "x" } });
await new Promise((r) => setTimeout(r, 100));
global.gc(); v8.writeHeapSnapshot("/tmp/memprobe/a1.heapsnapshot");
const actors = [];
for (let i = 0; i < N; i++) { const a = createActor(sessionMachine, { input: { session: keep[i], chat, authTimeoutMs: 10000 } }); a.subscribe({ error() {} }); a.start(); actors.push(a); }
for (const a of actors) a.send({ type: "FRAME", frame: { type: "hello", token: "x" } });
await new Promise((r) => setTimeout(r, 100));
global.gc(); v8.writeHeapSnapshot("/tmp/memprobe/a2.heapsnapshot");
process.exit(0);
