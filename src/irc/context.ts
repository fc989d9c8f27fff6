import type { ChatService } from "../chat/service.ts";
import type { Config } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import type { Renderer } from "./render.ts";

/** What every IRC connection of a gateway shares. */
export type IrcContext = {
  readonly chat: ChatService;
  readonly config: Config;
  readonly renderer: Renderer;
  /** The server name in prefixes and numerics. */
  readonly server: string;
  /** NETWORK in ISUPPORT: the chat's name without spaces. */
  readonly network: string;
  readonly startedAt: Date;
  /** Makes guests' passwords (irc.guests); new at each start. */
  readonly guestSecret: string;
  /** Keys of guests signing in on this node: a second client asking for one meanwhile gets 433. */
  readonly guestsSigningIn: Set<string>;
  readonly logger: Logger;
};
