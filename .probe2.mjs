import { createActor, setup } from "xstate";
import { sessionMachine } from "/work/wt-memory/dist/actors/session.js";
import { Session } from "/work/wt-memory/dist/src/chat/session.js";
const N = 5000;
const mode = process.argv[2];
const chat = { authenticate: async () => ({ user: { key: "a", name: "a", role: "user" }, token: "t", created: false }), signedIn() {}, handle() {}, fail() {}, disconnect() {} };
const peer = { send() {}, close() {}, bufferedAmount: 0, remoteAddress: "127.0.0.1" };
const gc = async () => { for (let i = 0; i < 3; i++) { global.gc(); await new Promise((r) => setTimeout(r, 20)); } return process.memoryUsage().heapUsed; };
const keep = [];
for (let i = 0; i < N; i++) keep.push(new Session(peer, { messagesPerSecond: 1, messageBurst: 1 }));
const root = createActor(setup({}).createMachine({})).start();
let h1 = await gc();
const actors = [];
for (let i = 0; i < N; i++) { const a = createActor(sessionMachine, { input: { session: keep[i], chat, authTimeoutMs: 10000 }, ...(mode === "parent" ? { parent: root } : {}) }); a.subscribe({ error() {} }); a.start(); actors.push(a); }
for (const a of actors) a.send({ type: "FRAME", frame: { type: "hello", token: "x" } });
await new Promise((r) => setTimeout(r, 100));
let h3 = await gc();
console.log(mode, "actor active", ((h3 - h1) / N).toFixed(0), actors[0].getSnapshot().value);
process.exit(0);
