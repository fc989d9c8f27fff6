import type { Config } from "../src/config/schema.ts";
import type { Logger } from "../src/log.ts";
import type { UserStore } from "./users/types.ts";
import type { ChatLog } from "./chatlog/types.ts";
import type { Bus } from "./bus/types.ts";
import type { Broker } from "./broker/types.ts";
import { createEmbeddedBroker } from "./broker/embedded-broker.ts";
import { createLowdbUserStore } from "./users/lowdb-store.ts";
import { createJsonlLog } from "./chatlog/jsonl-log.ts";
import { createMemoryBus } from "./bus/memory-bus.ts";
import type { Presence } from "./presence/types.ts";
import { createMemoryPresence } from "./presence/memory-presence.ts";
import { acquireDataLock } from "./fs/data-lock.ts";
import { openToOthers } from "./fs/private.ts";
import type { RoomStore } from "./rooms/types.ts";
import { createFileRoomStore } from "./rooms/file-store.ts";

/** What the health endpoint reports about the shared store. */
export type StorageHealth = { mode: "embedded" } | { mode: "cluster"; redis: "up" | "down"; node: string };

/** One node's storage: the seams the chat uses, plus how to open, check and close them. */
export type Storage = {
  users: UserStore;
  log: ChatLog;
  /**
   * The room-event broker over `log` (this storage's log, or a wrapper of it
   * such as the metrics one): it is what stores and delivers room events.
   */
  broker<O>(log: ChatLog, options?: { onHandlerError?: (error: Error) => void }): Broker<O>;
  /** Events that are not stored (typing, presence, notices, moderation). */
  bus: Bus;
  presence: Presence;
  /** Room state: the directory's rooms, their topics and member counts. */
  rooms: RoomStore;
  health(): StorageHealth;
  open(): Promise<void>;
  close(): Promise<void>;
};

/**
 * Picks the implementations: embedded (files in `dataDir`, an in-process bus)
 * unless `cluster.redis` is configured. The chat only ever sees the interfaces.
 */
export async function createStorage(config: Config, logger: Logger): Promise<Storage> {
  const warn = (msg: string, fields?: Record<string, unknown>) => logger.warn(msg, fields);
  const redis = config.cluster?.redis;
  if (!redis) {
    const users = createLowdbUserStore(config.dataDir, (path, why) => logger.error("corrupt user file; that user is refused", { path, why }));
    const log = createJsonlLog({
      dataDir: config.dataDir,
      historyPerRoom: config.limits.historyPerRoom,
      historyMemoryBytes: config.limits.historyMemoryBytes,
      fsync: config.chatLog.fsync,
      maxBytes: config.chatLog.maxBytes,
      keepFiles: config.chatLog.keepFiles,
      onWarning: warn,
    });
    const bus = createMemoryBus();
    const presence = createMemoryPresence();
    const rooms = createFileRoomStore(config.dataDir);
    // The lock guards the embedded files from a second daemon; cluster nodes keep nothing in dataDir.
    let release: (() => Promise<void>) | undefined;
    const unlock = async () => {
      const r = release;
      release = undefined;
      await r?.().catch((error: Error) => logger.warn("could not remove the data lock", { error: error.message }));
    };
    return {
      users,
      log,
      broker: (over, options) => createEmbeddedBroker(over, options),
      bus,
      presence,
      rooms,
      health: () => ({ mode: "embedded" }),
      async open() {
        release = await acquireDataLock(config.dataDir);
        const mode = await openToOthers(config.dataDir);
        if (mode) {
          logger.warn("the data folder can be read by other users of this machine (chat log, direct messages, accounts); chmod 700 it", { dataDir: config.dataDir, mode });
        }
        try {
          await log.open();
        } catch (error) {
          await unlock();
          throw error;
        }
      },
      async close() {
        await rooms.close();
        await log.close();
        await users.close();
        await bus.close();
        await presence.close();
        await unlock();
      },
    };
  }
  // Cluster mode's modules (ioredis alone is a third of the start's CPU) load only in cluster mode.
  const { createClusterStorage } = await import("./cluster.ts");
  return createClusterStorage(redis, config, warn);
}
