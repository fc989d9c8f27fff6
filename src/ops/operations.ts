import { ClientError, ErrorCode, type ChatMessage } from "../message/index.ts";
import type { ServerState } from "../../actors/server.ts";
import type { ChatService } from "../chat/service.ts";
import type { Moderation } from "../chat/moderation.ts";
import type { Role } from "../../storage/users/types.ts";
import type { Daemon } from "../daemon.ts";
import type { ReloadHost } from "./reload.ts";
import { VERSION, roomKey } from "../chat/service.ts";
import { roomFrames } from "../chat/frames.ts";
import { messagePage } from "../chat/pages.ts";
import { reloadConfig } from "./reload.ts";
import type { FileService } from "../files/index.ts";

export type Uptime = {
  uptimeSeconds: number;
  startedAt: string | null;
  processUptimeSeconds: number;
  processStartedAt: string;
  state: ServerState;
  restarts: number;
  connections: number;
  usersOnline: number;
  rooms: number;
  messagesStored: number;
  deliveries: number;
  version: string;
};

/** The longest broadcast text and motd, in characters (code points): the admin API's bounds, and the console's. */
export const BROADCAST_MAX_CHARS = 4000;
export const MOTD_MAX_CHARS = 2000;

export type OnlineUser = { name: string; sessions: number; rooms: string[]; address: string; connectedAt: string };
export type NodeView = { id: string; self: boolean; startedAt: string; uptimeSeconds: number };
export type RoomInfo = { name: string; members: string[]; default: boolean };
export type Answer = { accepted: boolean; state: ServerState; message: string };

/** What operations work on (the daemon is one): its lifecycle, its config and the running chat. */
export type OperationsHost = Pick<Daemon, "state" | "snapshot" | "processStartedAt" | "request" | "logger" | "files"> &
  ReloadHost & { readonly chat: ChatService | undefined };

/**
 * What an operator can do, shared by the console and the admin API so both
 * answer the same way.
 */

export function createOperations(daemon: OperationsHost) {
  // Every operator action is logged at info, by the same name whether it came from the console or the admin API.
  const log = (msg: string, fields: object) => daemon.logger.info(msg, { by: "operator", ...fields });
  const requested = (what: string, answer: Answer): Answer => {
    if (answer.accepted) log(`${what} requested`, {});
    return answer;
  };
  function chat(): ChatService {
    const c = daemon.chat;
    if (!c) throw new ClientError(ErrorCode.unavailable, `server is ${daemon.state}`);
    return c;
  }

  return {
    uptime(): Uptime {
      const now = Date.now();
      const { startedAt, restarts } = daemon.snapshot.context;
      const c = daemon.chat?.stats();
      return {
        uptimeSeconds: startedAt ? Math.floor((now - startedAt) / 1000) : 0,
        startedAt: startedAt ? new Date(startedAt).toISOString() : null,
        processUptimeSeconds: Math.floor((now - daemon.processStartedAt) / 1000),
        processStartedAt: new Date(daemon.processStartedAt).toISOString(),
        state: daemon.state,
        restarts,
        connections: c?.connections ?? 0,
        usersOnline: c?.usersOnline ?? 0,
        rooms: c?.rooms ?? 0,
        messagesStored: c?.messagesIn ?? 0,
        deliveries: c?.deliveries ?? 0,
        version: VERSION,
      };
    },

    /** Users online on every node (one node in embedded mode). */
    async users(): Promise<{ online: OnlineUser[]; registered: number }> {
      const c = chat();
      const online = (await c.presence.users()).map((u) => ({
        name: u.name,
        sessions: u.sessions,
        rooms: u.rooms,
        address: u.address,
        connectedAt: new Date(u.connectedAt).toISOString(),
      }));
      online.sort((a, b) => a.name.localeCompare(b.name));
      return { online, registered: await c.accounts.store.count() };
    },

    async rooms(): Promise<RoomInfo[]> {
      const c = chat();
      // The same normalisation (NFKC, lower case) as the room names themselves.
      const defaults = new Set(c.config.rooms.map((r) => roomKey(r)));
      const names = await c.allRoomNames();
      const members = await c.presence.members(names);
      return names.map((name, i) => ({ name, members: members[i]!, default: defaults.has(name) }));
    },

    /** The nodes sharing this daemon's store (just this one in embedded mode). */
    async nodes(): Promise<NodeView[]> {
      const now = Date.now();
      const list = await chat().presence.nodes();
      return list
        .map((n) => ({ id: n.id, self: n.self, startedAt: new Date(n.startedAt).toISOString(), uptimeSeconds: Math.floor((now - n.startedAt) / 1000) }))
        .sort((a, b) => a.id.localeCompare(b.id));
    },

    /** The newest `limit` stored messages, oldest first; of one room or of all rooms. */
    async log(room: string | undefined, limit: number): Promise<ChatMessage[]> {
      const c = chat();
      let rooms: string[];
      if (room !== undefined) {
        rooms = [roomKey(room)];
      } else rooms = c.broker.rooms();
      await c.amendments.ready;
      // Messages only: edits, reactions and topics are folded in or left out (see pages.ts).
      const pages = await Promise.all(rooms.map((r) => messagePage(c.broker, r, { limit })));
      const all = pages.flatMap((p) => p.messages).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const shown = all.slice(-limit);
      return roomFrames(shown, await c.amendments.recall(c.broker, shown));
    },

    /** Kicks every session of the user: how many there were (0: not online) and the name as the account spells it; `bad_name` for a name that breaks the naming rule. */
    async kick(name: string, reason?: string): Promise<{ user: string; sessions: number }> {
      const kicked = await chat().kick(name, reason);
      if (kicked.sessions > 0) log("user kicked", { ...kicked, ...(reason === undefined ? {} : { reason }) });
      return kicked;
    },
    /** Sets a user's password (every token revoked, every session closed): the name as the account spells it, or undefined when there is no such user. */
    async setPassword(name: string, password: string): Promise<string | undefined> {
      const user = await chat().setPassword(name, password);
      if (user !== undefined) log("password set", { user });
      return user;
    },
    /** Deletes a stored message (issue 19); false if there is no such message or it is already deleted. */
    async deleteMessage(id: string): Promise<boolean> {
      const deleted = await chat().deleteMessage(id);
      if (deleted) log("message deleted", { id });
      return deleted;
    },
    /** Removes an uploaded file; false if there is no such file. */
    async removeFile(id: string): Promise<boolean> {
      const removed = await this.files().remove(id);
      if (removed) log("file removed", { id });
      return removed;
    },
    moderation: () => loggedModeration(chat().moderation, log),
    /** Whether a room by this name exists (a default room, or one a join created and not forgotten); `bad_name` for a name no room can have. */
    roomExists: (room: string): Promise<boolean> => chat().directory.exists(roomKey(room)),
    /** The file service (uploads, usage, removal); `unavailable` while the server is not running. */
    files(): FileService {
      const f = daemon.files;
      if (!f) throw new ClientError(ErrorCode.unavailable, `server is ${daemon.state}`);
      return f;
    },
    /** Sends a notice to every signed-in connection (on every node); resolves to how many those are. */
    async broadcast(text: string): Promise<number> {
      await chat().broadcast(text);
      // Only signed-in connections get notices; connections still signing in do not count.
      const { online } = await this.users();
      const recipients = online.reduce((n, u) => n + u.sessions, 0);
      log("broadcast sent", { text, recipients });
      return recipients;
    },
    async motd(text?: string): Promise<string> {
      if (text !== undefined) {
        await chat().setMotd(text);
        log("motd set", { motd: text });
      }
      return daemon.config.motd;
    },
    stop: (): Answer => requested("stop", daemon.request("STOP")),
    restart: (): Answer => requested("restart", daemon.request("RESTART")),
    /** Reads the config file and environment again and applies what can change while running. */
    reload: () => reloadConfig(daemon),
  };
}

export type Operations = ReturnType<typeof createOperations>;

type Log = (msg: string, fields: object) => void;

/** The chat's moderation as the admin API uses it, each action that found its user logged. */
function loggedModeration(m: Moderation, log: Log) {
  const logged = <A extends unknown[], R extends object>(msg: string, run: (...args: A) => Promise<R | undefined>, fields: (...args: A) => object = () => ({})) =>
    async (...args: A): Promise<R | undefined> => {
      const result = await run(...args);
      if (result !== undefined) log(msg, { ...fields(...args), ...result });
      return result;
    };
  return {
    ban: logged("user banned", (user: string, reason: string) => m.ban(user, reason), (_user, reason) => ({ reason })),
    unban: logged("user unbanned", (user: string) => m.unban(user)),
    mute: logged("user muted", (user: string, room: string, minutes: number) => m.mute(user, room, minutes), (_u, _r, minutes) => ({ minutes })),
    unmute: logged("user unmuted", (user: string, room: string) => m.unmute(user, room)),
    setRole: logged("role set", (user: string, role: Role) => m.setRole(user, role)),
  };
}
