import { NAME_MAX } from "../message/index.ts";
import type { IrcContext } from "./context.ts";

/** How many targets one PRIVMSG, NOTICE, JOIN or PART may name. */
export const MAX_TARGETS = 4;
/** Rooms per LIST request to the directory (its page maximum). */
export const ROOMS_PAGE = 200;
/** The most messages one CHATHISTORY answer holds. */
export const CHATHISTORY_MAX = 1000;

/**
 * RPL_ISUPPORT tokens, in lines of at most 12. CASEMAPPING is rfc8265: chatd
 * folds names with NFKC and Unicode lower-casing, as PRECIS does. No
 * CLIENTTAGDENY: every client-only tag is relayed (message-tags says a server
 * without the token denies none).
 */
export function isupport(ctx: IrcContext): string[][] {
  const { limits } = ctx.config;
  const tokens = [
    "AWAYLEN=200",
    "CASEMAPPING=rfc8265",
    `CHANLIMIT=#:${limits.maxRoomsPerSession}`,
    "CHANMODES=bq,,,nst",
    `CHANNELLEN=${NAME_MAX + 1}`,
    "CHANTYPES=#",
    `CHATHISTORY=${Math.min(CHATHISTORY_MAX, limits.historyPerRoom)}`,
    "ELIST=MNU",
    "KICKLEN=500",
    `MAXTARGETS=${MAX_TARGETS}`,
    "MODES=4",
    "MSGREFTYPES=msgid,timestamp",
    `NETWORK=${ctx.network}`,
    `NICKLEN=${NAME_MAX}`,
    "PREFIX=(ov)@+",
    `TARGMAX=PRIVMSG:${MAX_TARGETS},NOTICE:${MAX_TARGETS},JOIN:,PART:`,
    "TOPICLEN=300",
    "UTF8ONLY",
    "WHOX",
  ];
  const lines: string[][] = [];
  for (let i = 0; i < tokens.length; i += 12) lines.push(tokens.slice(i, i + 12));
  return lines;
}
