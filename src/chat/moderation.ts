import { checkName, ClientError, CloseCode, ErrorCode, type InboundFrame } from "../message/index.ts";
import type { Accounts } from "../../storage/users/accounts.ts";
import type { Role, UserRecord } from "../../storage/users/types.ts";
import type { Hub } from "./hub.ts";
import type { Session } from "./session.ts";

type ModerationFrame = Extract<InboundFrame, { type: "kick" | "mute" | "unmute" }>;

/**
 * Bans, per-room mutes and roles. Bans and mutes are kept on the user record
 * (they survive restarts); mutes of signed-in users are also held in memory so
 * `say` checks them without reading a file.
 */
export class Moderation {
  /** `<user key> <room>` -> muted until (ms). Keys are validated names, which hold no spaces. */
  readonly #mutes = new Map<string, number>();

  constructor(
    private readonly accounts: Accounts,
    private readonly hub: Hub,
    private readonly kick: (user: string, reason: string) => Promise<number>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Loads a signing-in user's stored mutes. */
  remember(user: UserRecord): void {
    for (const m of user.mutes ?? []) if (m.until > this.now()) this.#mutes.set(`${user.key} ${m.room}`, m.until);
  }

  /** Throws `muted` while the user may not speak in the room. */
  checkNotMuted(userKey: string, room: string): void {
    const k = `${userKey} ${room}`;
    const until = this.#mutes.get(k);
    if (until === undefined) return;
    if (until <= this.now()) {
      this.#mutes.delete(k);
      return;
    }
    throw new ClientError(ErrorCode.muted, `you are muted in ${room} until ${new Date(until).toISOString()}`);
  }

  /** Refuses sign-in from now on, revokes every token and closes every connection (4002). */
  async ban(name: string, reason: string): Promise<{ user: string; sessions: number } | undefined> {
    const key = keyOf(name);
    const user = await this.accounts.store.update(key, (u) => {
      u.banned = { at: this.now(), reason };
      u.tokens = [];
    });
    if (!user) return undefined;
    const sessions = [...this.hub.userSessions(key)];
    for (const s of sessions) {
      s.send({ type: "notice", text: reason, kind: "ban", ts: this.now() });
      s.peer.close(CloseCode.banned, "banned");
    }
    return { user: user.name, sessions: sessions.length };
  }

  async unban(name: string): Promise<{ user: string } | undefined> {
    const user = await this.accounts.store.update(keyOf(name), (u) => {
      delete u.banned;
    });
    return user && { user: user.name };
  }

  async mute(name: string, roomName: string, minutes: number): Promise<{ user: string; room: string; until: number } | undefined> {
    const key = keyOf(name);
    const room = keyOf(roomName, "room");
    const until = this.now() + Math.round(minutes * 60_000);
    const user = await this.accounts.store.update(key, (u) => {
      u.mutes = [...(u.mutes ?? []).filter((m) => m.room !== room && m.until > this.now()), { room, until }];
    });
    if (!user) return undefined;
    this.#mutes.set(`${key} ${room}`, until);
    for (const s of this.hub.userSessions(key)) {
      s.send({ type: "notice", text: `you are muted in ${room} for ${minutes} minutes`, kind: "mute", ts: this.now() });
    }
    return { user: user.name, room, until };
  }

  async unmute(name: string, roomName: string): Promise<{ user: string; room: string } | undefined> {
    const key = keyOf(name);
    const room = keyOf(roomName, "room");
    const user = await this.accounts.store.update(key, (u) => {
      u.mutes = (u.mutes ?? []).filter((m) => m.room !== room);
    });
    this.#mutes.delete(`${key} ${room}`);
    return user && { user: user.name, room };
  }

  async setRole(name: string, role: Role): Promise<{ user: string; role: Role } | undefined> {
    const key = keyOf(name);
    const user = await this.accounts.store.update(key, (u) => {
      u.role = role;
    });
    if (!user) return undefined;
    // Online sessions get the new role at once (it is also re-read for each moderation frame).
    for (const s of this.hub.userSessions(key)) if (s.user) s.user.role = role;
    return { user: user.name, role };
  }

  /** A moderation frame from a client: only moderators and admins (by their stored role) may send one. */
  async handle(session: Session, frame: ModerationFrame): Promise<void> {
    const me = await this.accounts.store.get(session.user!.key);
    if (!me || (me.role !== "moderator" && me.role !== "admin")) {
      throw new ClientError(ErrorCode.forbidden, "only moderators may do that");
    }
    const ref = frame.ref === undefined ? {} : { ref: frame.ref };
    const target = await this.accounts.findUser(keyOf(frame.user));
    if (!target) throw new ClientError(ErrorCode.unknownUser, "no such user");
    switch (frame.type) {
      case "kick": {
        const sessions = await this.kick(target.key, frame.reason ?? `kicked by ${me.name}`);
        return session.send({ type: "moderated", action: "kick", user: target.name, sessions, ...ref });
      }
      case "mute": {
        const r = (await this.mute(target.key, frame.room, frame.minutes))!;
        return session.send({ type: "moderated", action: "mute", user: r.user, room: r.room, until: r.until, ...ref });
      }
      case "unmute": {
        const r = (await this.unmute(target.key, frame.room))!;
        return session.send({ type: "moderated", action: "unmute", user: r.user, room: r.room, ...ref });
      }
    }
  }
}

function keyOf(name: string, what: "user" | "room" = "user"): string {
  return checkName(name, what).key;
}
