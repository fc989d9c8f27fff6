import { checkName, ClientError, CloseCode, ErrorCode, isBlank, type InboundFrame } from "../message/index.ts";
import type { Accounts } from "../accounts/accounts.ts";
import type { Role, UserRecord } from "../../storage/users/types.ts";
import type { Hub } from "./hub.ts";
import type { Session } from "./session.ts";
import type { ModerationChange } from "../../storage/bus/types.ts";
import { silentLogger, type Logger } from "../log.ts";
import { actingRole, grantFields, mayModerate } from "./roles.ts";

/**
 * A kick's or ban's reason as given, or undefined when there is none to tell:
 * a blank one (empty, spaces, invisible characters: `isBlank`) is none, so the
 * user is told the default (`kicked by ...`, `banned by an operator`) rather
 * than an empty notice.
 */
export function givenReason(reason: string | undefined): string | undefined {
  return reason === undefined || isBlank(reason) ? undefined : reason;
}

/** What moderation needs of the cluster (one node alone in embedded mode). */
export type ModerationCluster = {
  /** Sends a change to every node, this one included, which each apply with `apply`. */
  publish(user: string, change: ModerationChange): Promise<void>;
  /** How many sessions the user has on every node. */
  sessionsOf(userKey: string): Promise<number>;
};

/** Changes kept for sign-ins in flight (see Moderation.since): far more than one sign-in's few seconds see. */
const JOURNAL_MAX = 1024;

type ModerationFrame = Extract<InboundFrame, { type: "kick" | "mute" | "unmute" }>;

/**
 * Bans, per-room mutes and roles. Each is stored on the user record first
 * (it survives restarts and is shared by a cluster's nodes), then published
 * on the bus, and every node applies it to the sessions it holds: a ban
 * closes them, a mute is told to them and checked on their `say`. Mutes of
 * signed-in users are held in memory so `say` checks them without a read;
 * each sign-in replaces the user's with the stored ones.
 */
export class Moderation {
  /** User key -> room -> muted until (ms); only users with a mute have an entry. */
  readonly #mutes = new Map<string, Map<string, number>>();

  /**
   * The changes this node applied, newest last, numbered: a sign-in notes the
   * number before it reads the user record (`mark`) and, when it becomes a
   * session, catches up on the changes to its user since (`since`). A change is
   * stored before it is published, so one the record missed was applied after
   * the mark: a ban that raced the password check refuses the sign-in, and a
   * mute or a role change is not lost. Bounded: changes are rare, sign-ins short.
   */
  readonly #journal: Array<{ seq: number; user: string; change: ModerationChange }> = [];
  #seq = 0;

  constructor(
    private readonly accounts: Accounts,
    private readonly hub: Hub,
    private readonly cluster: ModerationCluster,
    private readonly now: () => number = Date.now,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** Where the journal is now: taken by a sign-in before it reads the user record. */
  mark(): number {
    return this.#seq;
  }

  /** The changes to the user applied since `mark`, oldest first; undefined when the journal no longer reaches back that far. */
  since(mark: number, userKey: string): ModerationChange[] | undefined {
    const first = this.#journal[0];
    if (first && first.seq > mark + 1) return undefined;
    return this.#journal.filter((e) => e.seq > mark && e.user === userKey).map((e) => e.change);
  }

  /**
   * A signing-in user's stored mutes replace what this node held for them,
   * then the mutes and unmutes applied since `mark` (which that record may not
   * show) are applied again. Returns the user's role, the latest of the
   * record's and those changes'.
   */
  remember(user: UserRecord, mark = this.#seq): Role {
    const at = this.now();
    const live = (user.mutes ?? []).filter((m) => m.until > at);
    if (live.length === 0) this.#mutes.delete(user.key);
    else this.#mutes.set(user.key, new Map(live.map((m) => [m.room, m.until])));
    let role = user.role;
    for (const change of this.since(mark, user.key) ?? []) {
      if (change.action === "mute") this.#muteIn(user.key, change.room, change.until);
      else if (change.action === "unmute") this.#forget(user.key, change.room);
      else if (change.action === "role") role = change.role;
    }
    return role;
  }

  #muteIn(userKey: string, room: string, until: number): void {
    let rooms = this.#mutes.get(userKey);
    if (!rooms) this.#mutes.set(userKey, (rooms = new Map()));
    rooms.set(room, until);
  }

  /** When the user's mute in the room ends, while it lasts (one that has ended is forgotten). */
  #mutedUntil(userKey: string, room: string): number | undefined {
    const until = this.#mutes.get(userKey)?.get(room);
    if (until === undefined || until > this.now()) return until;
    this.#forget(userKey, room);
    return undefined;
  }

  /**
   * What the user says to the room in passing (a leave's or a quit's reason):
   * nothing where they are muted, as a mute stops what they say there.
   */
  said(userKey: string, room: string, reason: string | undefined): string | undefined {
    return reason === undefined || this.#mutedUntil(userKey, room) !== undefined ? undefined : reason;
  }

  /** Throws `muted` while the user may not speak in the room. */
  checkNotMuted(userKey: string, room: string): void {
    const until = this.#mutedUntil(userKey, room);
    if (until !== undefined) throw new ClientError(ErrorCode.muted, `you are muted in ${room} until ${new Date(until).toISOString()}`);
  }

  #forget(userKey: string, room: string): void {
    const rooms = this.#mutes.get(userKey);
    if (!rooms) return;
    rooms.delete(room);
    if (rooms.size === 0) this.#mutes.delete(userKey);
  }

  /** A change, from the bus: applied to this node's sessions of the user. */
  apply(userKey: string, change: ModerationChange): void {
    this.#journal.push({ seq: ++this.#seq, user: userKey, change });
    if (this.#journal.length > JOURNAL_MAX) this.#journal.shift();
    const sessions = this.hub.userSessions(userKey);
    switch (change.action) {
      case "kick":
      case "ban": {
        const [code, reason] = change.action === "kick" ? [CloseCode.kicked, "kicked"] : [CloseCode.banned, "banned"];
        for (const s of [...sessions]) {
          s.send({ type: "notice", text: change.reason, kind: change.action, ts: this.now() });
          s.peer.close(code, reason);
        }
        return;
      }
      case "mute": {
        this.#muteIn(userKey, change.room, change.until);
        for (const s of sessions) {
          s.send({ type: "notice", text: `you are muted in ${change.room} for ${change.minutes} minutes`, kind: "mute", ts: this.now() });
        }
        return;
      }
      case "unmute":
        return this.#forget(userKey, change.room);
      case "role":
        for (const s of sessions) if (s.user) s.user.role = change.role;
    }
  }

  /** Closes every connection of the user (4000), on every node; resolves to how many there were. */
  async kick(userKey: string, reason: string): Promise<number> {
    const sessions = await this.cluster.sessionsOf(userKey);
    await this.cluster.publish(userKey, { action: "kick", reason });
    return sessions;
  }

  /** Refuses sign-in from now on, revokes every token and closes every connection (4002). */
  async ban(name: string, reason: string): Promise<{ user: string; sessions: number } | undefined> {
    const key = keyOf(name);
    const user = await this.accounts.store.update(key, (u) => {
      u.banned = { at: this.now(), reason };
      u.tokens = [];
    });
    if (!user) return undefined;
    const sessions = await this.cluster.sessionsOf(key);
    await this.cluster.publish(key, { action: "ban", reason });
    return { user: user.name, sessions };
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
    await this.cluster.publish(key, { action: "mute", room, until, minutes });
    return { user: user.name, room, until };
  }

  async unmute(name: string, roomName: string): Promise<{ user: string; room: string } | undefined> {
    const key = keyOf(name);
    const room = keyOf(roomName, "room");
    const user = await this.accounts.store.update(key, (u) => {
      u.mutes = (u.mutes ?? []).filter((m) => m.room !== room);
    });
    if (!user) return undefined;
    await this.cluster.publish(key, { action: "unmute", room });
    return { user: user.name, room };
  }

  async setRole(name: string, role: Role): Promise<{ user: string; role: Role } | undefined> {
    const key = keyOf(name);
    const user = await this.accounts.store.update(key, (u) => {
      u.role = role;
    });
    if (!user) return undefined;
    // Online sessions get the new role at once, on every node (it is also re-read for each moderation frame).
    await this.cluster.publish(key, { action: "role", role });
    return { user: user.name, role };
  }

  /**
   * A moderation frame from a client: only moderators and admins may send one
   * (by their stored role, or a role their connection holds: see roles.ts).
   * A `mute` names a room that exists (`rooms`, by key), checked before the
   * user, as `POST /admin/mute` does; `unmute` takes any room (a mute outlasts
   * a forgotten room).
   */
  async handle(session: Session, frame: ModerationFrame, rooms: { exists(room: string): Promise<boolean> }): Promise<void> {
    const me = await this.accounts.store.get(session.user!.key);
    if (!me || !mayModerate(actingRole(me.role, session))) {
      throw new ClientError(ErrorCode.forbidden, "only moderators may do that");
    }
    if (frame.type === "mute" && !(await rooms.exists(keyOf(frame.room, "room")))) {
      throw new ClientError(ErrorCode.unknownRoom, `no room named ${frame.room}`);
    }
    const by = { by: me.name, ...grantFields(session) };
    const ref = frame.ref === undefined ? {} : { ref: frame.ref };
    const target = await this.accounts.findUser(keyOf(frame.user));
    if (!target) throw new ClientError(ErrorCode.unknownUser, "no such user");
    switch (frame.type) {
      case "kick": {
        const reason = givenReason(frame.reason) ?? `kicked by ${me.name}`;
        const sessions = await this.kick(target.key, reason);
        this.logger.info("user kicked", { ...by, user: target.name, sessions, reason });
        return session.send({ type: "moderated", action: "kick", user: target.name, sessions, ...ref });
      }
      case "mute": {
        const r = (await this.mute(target.key, frame.room, frame.minutes))!;
        this.logger.info("user muted", { ...by, user: r.user, room: r.room, minutes: frame.minutes, until: r.until });
        return session.send({ type: "moderated", action: "mute", user: r.user, room: r.room, until: r.until, ...ref });
      }
      case "unmute": {
        const r = (await this.unmute(target.key, frame.room))!;
        this.logger.info("user unmuted", { ...by, user: r.user, room: r.room });
        return session.send({ type: "moderated", action: "unmute", user: r.user, room: r.room, ...ref });
      }
    }
  }
}

function keyOf(name: string, what: "user" | "room" = "user"): string {
  return checkName(name, what).key;
}
