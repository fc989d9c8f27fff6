import { connect } from "node:net";
import { expect } from "vitest";
import type { TestDaemon } from "./daemon.ts";
import { writeConfig, type World } from "./harness.ts";
import { daemonCommand, type RuntimeName } from "./runtimes.ts";

type Json = Record<string, unknown>;

/** A daemon of the world with `alice` signed in: her resume token authorises uploads. */
export async function startWithAlice(world: World, overrides: Parameters<World["daemon"]>[0] = {}): Promise<{ d: TestDaemon; token: string }> {
  const d = await world.daemon(overrides);
  const { welcome } = await world.signIn(d, "alice");
  return { d, token: welcome.token as string };
}

/** Uploads as `upload` does and answers the stored file as described in the 201 answer (which it checks). */
export async function put(baseUrl: string, token: unknown, bytes: Uint8Array | string, name: string): Promise<Json> {
  const res = await upload(baseUrl, token as string, bytes, name);
  expect(res.status).toBe(201);
  return (await res.json()) as Json;
}

/** Uploads `bytes` as the multipart field `file` named `name`, as a browser's FormData does. */
export function upload(baseUrl: string, token: string | undefined, bytes: Uint8Array | string, name = "x.bin", field = "file"): Promise<Response> {
  const form = new FormData();
  form.append(field, new Blob([typeof bytes === "string" ? new TextEncoder().encode(bytes) : new Uint8Array(bytes)]), name);
  const headers: Record<string, string> = token === undefined ? {} : { Authorization: `Bearer ${token}` };
  return fetch(`${baseUrl}/files`, { method: "POST", body: form, headers });
}

/** A 2x3 PNG (red pixels). */
export const PNG_2x3 = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAADCAYAAAC56t6BAAAAEUlEQVR4nGP4z8DwnwEIGIAAAOMHAf5zFYmAAAAAAElFTkSuQmCC",
  "base64",
);

/**
 * Sends a raw HTTP request (head and the given part of a body) and resolves
 * with everything the server answered by the time it closes the connection or
 * `waitMs` passes, and whether it closed it.
 */
export function rawRequest(port: number, head: string, body: Buffer, waitMs: number): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on("data", (d) => (text += d.toString("latin1")));
    socket.on("close", () => finish(true));
    socket.on("error", (e) => (text ? finish(true) : reject(e)));
    socket.write(head);
    socket.write(body);
  });
}

/** The head and body of a multipart upload built by hand, for requests fetch cannot make. */
export function multipart(name: string, content: Buffer, boundary = "chatdtestboundary"): { type: string; body: Buffer; open: Buffer; close: Buffer } {
  const open = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const close = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { type: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat([open, content, close]), open, close };
}

/**
 * The daemon as a process on `runtime` (the built files on Node, `deno run`
 * on Deno) with `config` on an ephemeral port, and alice signed in: her token
 * is for `/files/` requests.
 */
export async function spawnWithAlice(world: World, runtime: RuntimeName, config: Record<string, unknown> = {}) {
  const dir = await world.tempDir();
  const configPath = await writeConfig(dir, { bcryptCost: 4, ...config });
  const p = await world.spawn({ CHAT_CONFIG: configPath, CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_DATA_DIR: dir }, { command: daemonCommand(runtime) });
  const url = `http://127.0.0.1:${p.port}`;
  const { welcome } = await world.signIn(`ws://127.0.0.1:${p.port}/ws`, "alice");
  return { p, url, dir, token: welcome.token as string };
}
