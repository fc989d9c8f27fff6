import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { signIn, type TestClient, type Frame } from "./client.ts";
import { startCluster, type TestCluster } from "./cluster.ts";
import { startDaemon, type TestDaemon } from "./daemon.ts";
import { writeConfig } from "./harness.ts";

/**
 * Cluster parity (test/integration/contract/cluster-parity-*): each scenario runs three times,
 * with both users on one embedded daemon (endpoint 0), with both on node-1 of a cluster of two
 * (1, 1), and with one on each node (1, 2), and must give the same frames once ids, times and
 * the run's tag are taken out.
 */
export type Endpoint = { wsUrl: string; port: number; http(path: string, init?: RequestInit & { admin?: boolean }): Promise<Response> };
/** A scenario: users on endpoints `a` and `b`; `t` is the run's tag, to end every name with. */
export type Scenario = (a: number, b: number, t: string) => Promise<unknown>;

/** Every client comes from 127.0.0.1: the per-address allowances must fit a whole file. Little history is kept, to pass its end. */
const LIMITS = { ipAccountBurst: 1000, ipSignInBurst: 1000, ipRoomBurst: 1000, messageBurst: 100, historyPerRoom: 30 };
const ID = /^\d{13}-\d{6}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[A-Za-z0-9_-]{22}$/;
const VOLATILE = new Set(["ts", "editedAt", "until", "token", "retryAfterMs", "connectedAt", "message", "url", "startedAt", "created"]);
/** Requests whose answer carries no `ref`: matched by type. */
const UNREFFED: Record<string, string> = { join: "joined", leave: "left", history: "history", dm_history: "dm_history", hello: "welcome" };

/** Ids (message, tags, file) as #1, #2 ... in order of first sight, times and tokens out, the run's tag out of names. */
function normal(value: unknown, tag: string, ids = new Map<string, string>()): unknown {
  if (typeof value === "string") {
    if (ID.test(value)) {
      if (!ids.has(value)) ids.set(value, `#${ids.size + 1}`);
      return ids.get(value);
    }
    return value.split(tag).join("");
  }
  if (Array.isArray(value)) return value.map((v) => normal(v, tag, ids));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !VOLATILE.has(k))
        .map(([k, v]) => [k.split(tag).join(""), normal(v, tag, ids)]),
    );
  }
  return value;
}

/** Starts an embedded daemon and a cluster of two (sharing a files folder) for the file, and stops them after it; `limits` adds to LIMITS. */
export function parityWorld(extra: Record<string, number> = {}) {
  const limits = { ...LIMITS, ...extra };
  let cluster: TestCluster | undefined;
  let single: TestDaemon | undefined;
  let dir = "";
  let endpoints: Endpoint[] = [];
  const clients: TestClient[] = [];
  let runs = 0;
  let refs = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "chatd-parity-"));
    const config = await writeConfig(dir, { bcryptCost: 4, host: "127.0.0.1", limits });
    [cluster, single] = await Promise.all([startCluster(2, { CHAT_FILES_DIR: join(dir, "files"), CHAT_CONFIG: config }), startDaemon({ limits })]);
    endpoints = [single, ...cluster.nodes];
  });
  afterAll(async () => {
    for (const c of clients) c.ws.terminate();
    await Promise.all([cluster?.close(), single?.close()]);
    await rm(dir, { recursive: true, force: true });
  });
  const url = (i: number) => endpoints[i]!.wsUrl;
  return {
    url,
    port: (i: number) => endpoints[i]!.port,
    http: (i: number, path: string, init: RequestInit & { admin?: boolean } = {}) => endpoints[i]!.http(path, init),
    /** Signs in on endpoint `i` (closed after the file). */
    async signIn(i: number, name: string): Promise<{ client: TestClient; welcome: Frame }> {
      const s = await signIn(url(i), name);
      clients.push(s.client);
      return s;
    },
    async user(i: number, name: string): Promise<TestClient> {
      return (await this.signIn(i, name)).client;
    },
    /** Clients to close after the file. */
    keep(...more: TestClient[]): void {
      clients.push(...more);
    },
    /** Sends `f` and answers the frame that answers it: by its `ref` (one is added, and left out of the answer), or by type for answers that carry none. */
    async req(c: TestClient, f: Frame): Promise<Frame> {
      const ref = (f.ref as string | number | undefined) ?? `r${++refs}`;
      c.send({ ...f, ref });
      for (;;) {
        const got = await c.next();
        if (got.ref === ref || got.type === UNREFFED[f.type]) return f.ref === undefined ? { ...got, ref: undefined } : got;
      }
    },
    /** Runs `scenario` on the embedded daemon, then on one cluster node, then across two, and compares; answers the embedded run's result. */
    async parity(scenario: Scenario): Promise<unknown> {
      const results: unknown[] = [];
      for (const [a, b] of [[0, 0], [1, 1], [1, 2]] as const) {
        const tag = `p${++runs}x`;
        results.push(normal(await scenario(a, b, tag), tag));
      }
      const [embedded, same, cross] = results;
      expect({ sameNode: same, crossNode: cross }).toEqual({ sameNode: embedded, crossNode: embedded });
      return embedded;
    },
  };
}

/** Every frame of `type` the client got so far. */
export const all = (c: TestClient, type: string): Frame[] => c.frames.filter((f) => f.type === type);
