import { checkName, CloseCode, isNameError, normalizeName } from "../message/index.ts";
import type { Bus } from "../../storage/bus/types.ts";
import type { Presence } from "../../storage/presence/types.ts";
import type { UserStore } from "../../storage/users/types.ts";
import type { Config } from "../config/schema.ts";
import type { Hub } from "./hub.ts";
import type { Moderation } from "./moderation.ts";

/** What an operator (console, admin API) does to the running chat, beside moderation of one user. */
export class OperatorActions {
  constructor(
    private readonly config: Config,
    private readonly hub: Hub,
    private readonly bus: Bus,
    private readonly presence: Pick<Presence, "users">,
    private readonly moderation: Pick<Moderation, "kick">,
    private readonly users: Pick<UserStore, "get">,
  ) {}

  async broadcast(text: string): Promise<void> {
    await this.bus.publish({ kind: "notice", text, noticeKind: "broadcast", ts: Date.now() });
  }

  async setMotd(motd: string): Promise<void> {
    this.config.motd = motd;
    await this.bus.publish({ kind: "notice", text: motd, noticeKind: "motd", ts: Date.now() });
  }

  /**
   * Kicks every session of the user; resolves to how many were closed and the
   * user's name as their account spells it (as ban, mute and role answer; as
   * given when no one was kicked). A name that breaks the naming rule is
   * `bad_name`, as it is for ban and mute (the admin API's 400).
   */
  async kick(name: string, reason = "kicked by an operator"): Promise<{ user: string; sessions: number }> {
    const n = checkName(name);
    const sessions = await this.moderation.kick(n.key, reason);
    if (sessions === 0) return { user: name, sessions };
    const account = await this.users.get(n.key);
    return { user: account?.name ?? n.display, sessions };
  }

  /** The user's signed-in sessions on every node. */
  async sessionsEverywhere(key: string): Promise<number> {
    const online = await this.presence.users();
    return online.filter((u) => keyOf(u.name) === key).reduce((sum, u) => sum + u.sessions, 0);
  }

  /** Closes every connection (stop or restart) with the given code. */
  closeAll(code: number, reason: string, notice: "shutdown" | "restart"): void {
    const frame = { type: "notice" as const, text: reason, kind: notice, ts: Date.now() };
    for (const s of [...this.hub.sessions]) {
      if (s.user) s.send(frame);
      s.peer.close(code, reason);
    }
  }

  /** A bus interruption: events may have been missed, so clients reconnect and resume with `since`. */
  resync(): void {
    this.closeAll(CloseCode.serviceRestart, "connection to the cluster was interrupted", "restart");
  }
}

function keyOf(name: string): string {
  const n = normalizeName(name);
  return isNameError(n) ? "" : n.key;
}
