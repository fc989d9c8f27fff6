/**
 * The floods scenario's victim, in a worker thread: a signed-in client that
 * pings every 20 ms and records each round trip. Its own event loop, so the
 * flooders' work in the main thread (4 MB history pages arriving) does not
 * delay its pongs: what it measures is the server.
 * Messages: "start" begins a phase, "stop" ends it and answers the round trips (ms).
 */
import { parentPort, workerData } from "node:worker_threads";
import WebSocket from "ws";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ws = new WebSocket(`ws://127.0.0.1:${workerData.port}/ws`);
let waiting;
ws.on("message", (data) => {
  const f = JSON.parse(String(data));
  if (waiting && waiting.match(f)) {
    const w = waiting;
    waiting = undefined;
    w.resolve(f);
  }
});
const request = (frame, match) =>
  new Promise((resolve) => {
    waiting = { match, resolve };
    ws.send(JSON.stringify(frame));
  });

await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
const welcome = await request({ type: "hello", user: workerData.user, password: workerData.password }, (f) => f.type === "welcome" || f.type === "error");
if (welcome.type !== "welcome") throw new Error(`pinger: ${JSON.stringify(welcome)}`);

let running = false;
let done;
let seq = 0;
parentPort.on("message", async (command) => {
  if (command === "start") {
    running = true;
    const times = [];
    done = (async () => {
      while (running) {
        const ref = `p${++seq}`;
        const t0 = performance.now();
        await request({ type: "ping", ref }, (f) => f.type === "pong" && f.ref === ref);
        times.push(performance.now() - t0);
        await sleep(20);
      }
      return times;
    })();
  } else if (command === "stop") {
    running = false;
    parentPort.postMessage(await done);
  } else if (command === "close") {
    ws.terminate();
    parentPort.close();
  }
});
parentPort.postMessage("ready");
