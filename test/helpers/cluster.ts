import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnDaemon, type DaemonProcess } from "./process.ts";
import { ADMIN_TOKEN } from "./daemon.ts";
import { deletePrefix, REDIS_URL, uniquePrefix } from "./redis.ts";
import { need } from "./needs.ts";

export type ClusterNode = DaemonProcess & {
  id: string;
  readonly wsUrl: string;
  http(path: string, init?: RequestInit & { admin?: boolean }): Promise<Response>;
};

export type TestCluster = {
  prefix: string;
  nodes: ClusterNode[];
  /** Starts one more node on the same Redis and prefix (`command`: another entry point, the Deno one, say). */
  add(id: string, env?: Record<string, string>, command?: { command: string; args: string[] }): Promise<ClusterNode>;
  close(): Promise<void>;
};

/**
 * Starts `count` daemon processes (the built dist, as `npm start` runs it) on
 * one Redis with a key prefix of their own, named node-1, node-2, ...
 */
export async function startCluster(count: number, env: Record<string, string> = {}): Promise<TestCluster> {
  if (!env.CHAT_REDIS_URL) need("redis");
  const prefix = uniquePrefix();
  const dir = await mkdtemp(join(tmpdir(), "chatd-cluster-"));
  const configPath = join(dir, "server.json");
  // The lowest bcrypt cost keeps sign-ins fast; everything else comes from the environment.
  await writeFile(configPath, JSON.stringify({ bcryptCost: 4, host: "127.0.0.1" }));
  const nodes: ClusterNode[] = [];
  let closing = false;
  async function add(id: string, extra: Record<string, string> = {}, command?: { command: string; args: string[] }): Promise<ClusterNode> {
    const p = await spawnDaemon(
      {
        CHAT_CONFIG: configPath,
        CHAT_PORT: "0",
        CHAT_DATA_DIR: join(dir, id),
        CHAT_ADMIN_TOKEN: ADMIN_TOKEN,
        CHAT_REDIS_URL: REDIS_URL,
        CHAT_REDIS_PREFIX: prefix,
        CHAT_NODE_ID: id,
        ...env,
        ...extra,
      },
      { command },
    );
    const node: ClusterNode = Object.assign(p, {
      id,
      wsUrl: `ws://127.0.0.1:${p.port}/ws`,
      http(path: string, init: RequestInit & { admin?: boolean } = {}) {
        const headers = new Headers(init.headers);
        if (init.admin) headers.set("Authorization", `Bearer ${ADMIN_TOKEN}`);
        return fetch(`http://127.0.0.1:${p.port}${path}`, { ...init, headers });
      },
    });
    nodes.push(node);
    // A node that dies on its own is a bug worth seeing (tests that kill one expect a signal).
    void p.exited.then((e) => {
      if (e.code !== null && !closing) console.error(`cluster node ${id} exited with ${e.code}:\n${p.output()}`);
    });
    return node;
  }
  await Promise.all(Array.from({ length: count }, (_, i) => add(`node-${i + 1}`)));
  nodes.sort((a, b) => a.id.localeCompare(b.id));
  return {
    prefix,
    nodes,
    add,
    async close() {
      closing = true;
      for (const n of nodes) if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill("SIGKILL");
      await Promise.all(nodes.map((n) => n.exited));
      await deletePrefix(prefix);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
