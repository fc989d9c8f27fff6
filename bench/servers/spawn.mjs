/**
 * Starts a server as its own child process and waits for its JSON
 * `{"msg":"listening","port":N}` line on stdout. Output is drained (chatd logs
 * every sign-in) and the tail kept for error messages.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

export function startServer({ name, args, env = {}, cwd, startTimeoutMs = 30_000 }) {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const tail = [];
  const keep = (line) => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
  };
  createInterface({ input: child.stderr }).on("line", keep);
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${name}: no "listening" line within ${startTimeoutMs} ms`)), startTimeoutMs);
    const fail = (error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${error.message}\n${tail.join("\n")}`));
    };
    let listening = false;
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (listening) return;
      keep(line);
      try {
        const j = JSON.parse(line);
        if (j.msg === "listening" && typeof j.port === "number") {
          listening = true;
          clearTimeout(timer);
          resolve({ name, pid: child.pid, port: j.port, stop: () => stopChild(child, exited), exited, tail });
        }
      } catch {}
    });
    exited.then(({ code, signal }) => {
      if (!listening) fail(new Error(`${name} exited (${code ?? signal}) before listening`));
    });
  });
}

/** SIGTERM, then SIGKILL after 8 s; resolves with how the child exited. */
export async function stopChild(child, exited) {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 8000);
  const result = await exited;
  clearTimeout(timer);
  return result;
}
