import type { RedisEngine } from "../redis/engine.ts";
import { mergeStatus, status, type LocalUser, type NodeInfo, type OnlineUser, type Presence, type UserStatus } from "./types.ts";
import { ENTER, EXIT, REAP } from "./redis-scripts.ts";

export type RedisPresenceOptions = {
  engine: RedisEngine;
  /** How often this node renews its heartbeat and looks for dead nodes. */
  heartbeatMs?: number;
  /** A node whose heartbeat is this old is dead: its users are removed. */
  nodeTimeoutMs?: number;
  onWarning?: (message: string, fields?: Record<string, unknown>) => void;
};

/**
 * Cluster presence (see redis-scripts.ts for the keys). Every node renews
 * `node:<id>` each `heartbeatMs` with a TTL of `nodeTimeoutMs`, and reaps nodes
 * listed in `nodes` whose heartbeat has expired: a node killed with -9 has its
 * users removed, with `presence leave` announced, within about
 * `nodeTimeoutMs + heartbeatMs`.
 */
export function createRedisPresence({ engine, heartbeatMs = 1000, nodeTimeoutMs = 5000, onWarning }: RedisPresenceOptions): Presence {
  const startedAt = Date.now();
  const id = engine.nodeId;
  const k = (name: string) => engine.key(name);
  const where = k(`where:${id}`);
  const online = k(`online:${id}`);
  const warn = onWarning ?? (() => {});
  let timer: NodeJS.Timeout | undefined;
  let stopReset = () => {};

  async function beat(): Promise<void> {
    await engine.cmd
      .multi()
      .set(k(`node:${id}`), String(startedAt), "PX", nodeTimeoutMs)
      .hset(k("nodes"), id, JSON.stringify({ startedAt }))
      .exec();
  }

  async function reap(node: string, force: boolean): Promise<number> {
    return (await engine.cmd.eval(REAP, 4, k(`where:${node}`), k(`online:${node}`), k("nodes"), k(`node:${node}`), engine.prefix, node, engine.channel, force ? "1" : "0")) as number;
  }

  async function tick(): Promise<void> {
    try {
      await beat();
      for (const node of await engine.cmd.hkeys(k("nodes"))) {
        if (node !== id && (await reap(node, false)) >= 0) warn("presence: removed a node that stopped heartbeating", { node });
      }
    } catch {
      // Redis is away; the health endpoint says so, and the next tick tries again.
    }
  }

  return {
    async open() {
      // Whatever this node id left behind (a crash, a restart) is stale: start clean.
      await engine.run(() => reap(id, true));
      await engine.run(beat);
      timer = setInterval(() => void tick(), heartbeatMs);
      timer.unref();
      // After losing Redis the node's sessions are closed (see ChatService "reset") and its presence rebuilt.
      stopReset = engine.onReset(() => void reap(id, true).then(beat).catch(() => {}));
    },
    async enter(room, user) {
      return (await engine.run(() => engine.cmd.eval(ENTER, 2, where, k(`members:${room}`), `${room}\t${user}`, user))) === 1;
    },
    async exit(room, user) {
      return (await engine.run(() => engine.cmd.eval(EXIT, 2, where, k(`members:${room}`), `${room}\t${user}`, user))) === 1;
    },
    async setLocal(user, info: LocalUser | undefined) {
      await engine.run(() => (info ? engine.cmd.hset(online, user, JSON.stringify(info)) : engine.cmd.hdel(online, user)));
    },
    async members(rooms) {
      if (rooms.length === 0) return [];
      const pipeline = engine.cmd.pipeline();
      for (const r of rooms) pipeline.hkeys(k(`members:${r}`));
      const replies = await engine.run(() => pipeline.exec());
      return (replies ?? []).map(([, names]) => ((names as string[] | null) ?? []).sort());
    },
    async activeRooms() {
      // SCAN, not KEYS: admin views and the rooms list only, never the message path.
      const match = k("members:*");
      const found = new Set<string>();
      await engine.run(async () => {
        let cursor = "0";
        do {
          const [next, keys] = await engine.cmd.scan(cursor, "MATCH", match, "COUNT", 1000);
          for (const key of keys) found.add(key.slice(match.length - 1));
          cursor = next;
        } while (cursor !== "0");
      });
      return [...found];
    },
    async users() {
      const nodes = await engine.run(() => engine.cmd.hkeys(k("nodes")));
      const pipeline = engine.cmd.pipeline();
      for (const node of nodes) pipeline.hgetall(k(`online:${node}`)).hkeys(k(`where:${node}`));
      const replies = (await engine.run(() => pipeline.exec())) ?? [];
      type Seen = LocalUser & { roomSet: Set<string> };
      const byName = new Map<string, Seen>();
      for (let i = 0; i < nodes.length; i++) {
        const users = (replies[2 * i]?.[1] ?? {}) as Record<string, string>;
        const fields = (replies[2 * i + 1]?.[1] ?? []) as string[];
        for (const [name, json] of Object.entries(users)) {
          const info = JSON.parse(json) as LocalUser;
          const seen = byName.get(name);
          if (!seen) byName.set(name, { ...info, roomSet: new Set() });
          else {
            const first = info.connectedAt < seen.connectedAt ? info : seen;
            byName.set(name, { sessions: seen.sessions + info.sessions, address: first.address, connectedAt: first.connectedAt, ...mergeStatus(status(seen), status(info)), roomSet: seen.roomSet });
          }
        }
        for (const f of fields) {
          const [room, name] = f.split("\t");
          byName.get(name!)?.roomSet.add(room!);
        }
      }
      return [...byName].map(([name, { roomSet, ...u }]): OnlineUser => ({ name, ...u, rooms: [...roomSet].sort() }));
    },
    async statusOf(names) {
      if (names.length === 0) return [];
      const nodes = await engine.run(() => engine.cmd.hkeys(k("nodes")));
      const pipeline = engine.cmd.pipeline();
      for (const node of nodes) pipeline.hmget(k(`online:${node}`), ...names);
      const replies = (await engine.run(() => pipeline.exec())) ?? [];
      const found: UserStatus[] = names.map(() => ({}));
      for (const [, values] of replies) {
        (values as Array<string | null>).forEach((json, i) => {
          if (json !== null) found[i] = mergeStatus(found[i]!, status(JSON.parse(json) as LocalUser));
        });
      }
      return found;
    },
    async nodes() {
      const all = await engine.run(() => engine.cmd.hgetall(k("nodes")));
      return Object.entries(all).map(([node, json]): NodeInfo => ({ id: node, startedAt: (JSON.parse(json) as { startedAt: number }).startedAt, self: node === id }));
    },
    async close() {
      clearInterval(timer);
      stopReset();
      // A clean stop leaves at once instead of waiting to be reaped.
      await reap(id, true).catch(() => {});
    },
  } satisfies Presence;
}
