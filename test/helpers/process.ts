import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const MAIN = fileURLToPath(new URL("../../dist/src/main.js", import.meta.url));

export type DaemonProcess = {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/**
 * Runs the built daemon as its own process (as `npm start` does) and resolves
 * once it logs that it is listening. Use `CHAT_PORT=0` for an ephemeral port.
 * `command` runs another entry point (the Deno one, say) instead of the built Node one.
 */
export function spawnDaemon(
  env: Record<string, string>,
  options: { cwd?: string; waitListening?: boolean; command?: { command: string; args: string[] } } = {},
): Promise<DaemonProcess> {
  const { command, args } = options.command ?? { command: process.execPath, args: [MAIN] };
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, CHAT_CONSOLE: "off", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"msg":"listening".*?"port":(\d+)/.exec(out);
      if (match && options.waitListening !== false) resolve({ child, port: Number(match[1]), output: () => out, exited });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void exited.then((e) => {
      if (options.waitListening === false) resolve({ child, port: 0, output: () => out, exited });
      else reject(new Error(`daemon exited (${e.code ?? e.signal}) before listening:\n${out}`));
    });
  });
}
