import type { Daemon } from "../daemon.ts";
import { describeFailure } from "../chat/failure.ts";

export const CONSOLE_PROMPT = "chatd> ";

/**
 * What a terminal is sent to show a log line above the console's prompt when
 * the typed text is not known (a console reading plain lines): the prompt's
 * line is cleared, the log line written, and the prompt drawn again below it.
 */
export function abovePrompt(line: string): string {
  return `\r\x1b[2K${line}\n${CONSOLE_PROMPT}`;
}
import { ClientError, isBlank } from "../message/index.ts";
import { parseDecimal } from "../http/decimal.ts";
import { charLength } from "../message/chars.ts";
import { BROADCAST_MAX_CHARS, MOTD_MAX_CHARS } from "./operations.ts";

export const CONSOLE_HELP = `commands:
  help              this list
  uptime            how long the server has been running
  users             who is online
  rooms             rooms and their members
  nodes             the nodes of the cluster, with uptime
  log [n]           the last n chat messages (default 20)
  kick <user>       disconnect every session of a user
  say <text>        send a server notice to everyone (says how many got it)
  motd [text]       show or set the message of the day
  reload            read the config file again and apply what can change live
  restart           stop and start again on the same port
  stop              stop the server and exit (also: quit, exit)`;

/**
 * The operator console (the brief's console()): one line in, the answer out.
 * Runtime adapters only do the terminal I/O around this.
 */
export async function runConsoleCommand(daemon: Daemon, line: string): Promise<string> {
  const trimmed = line.trim();
  if (!trimmed) return "";
  const space = trimmed.indexOf(" ");
  const command = (space < 0 ? trimmed : trimmed.slice(0, space)).toLowerCase();
  const rest = space < 0 ? "" : trimmed.slice(space + 1).trim();
  const ops = daemon.ops;
  try {
    switch (command) {
      case "help":
      case "?":
        return CONSOLE_HELP;
      case "uptime": {
        const u = ops.uptime();
        return `${u.state}, up ${formatDuration(u.uptimeSeconds)} (since ${u.startedAt ?? "-"}), ${u.connections} connections, ${u.usersOnline} users online, ${u.restarts} restarts`;
      }
      case "users": {
        const { online, registered } = await ops.users();
        const lines = online.map((u) => `  ${u.name}  ${u.sessions} session(s)  rooms: ${u.rooms.join(", ") || "-"}  from ${u.address}`);
        return [`${online.length} online, ${registered} registered`, ...lines].join("\n");
      }
      case "rooms": {
        const rooms = await ops.rooms();
        if (rooms.length === 0) return "no rooms";
        return rooms.map((r) => `  ${r.name}  ${r.members.length} member(s)${r.members.length ? ": " + r.members.join(", ") : ""}`).join("\n");
      }
      case "nodes": {
        const nodes = await ops.nodes();
        return nodes.map((n) => `  ${n.id}${n.self ? " (this node)" : ""}  up ${formatDuration(n.uptimeSeconds)} (since ${n.startedAt})`).join("\n");
      }
      case "log": {
        const n = rest ? parseDecimal(rest) ?? NaN : 20;
        if (!Number.isInteger(n) || n < 1 || n > 1000) return "usage: log [n]  (1 to 1000)";
        const messages = await ops.log(undefined, n);
        if (messages.length === 0) return "the chat log is empty";
        return messages.flatMap((m) => logLines(`${new Date(m.ts).toISOString()} #${m.room} <${m.from}> `, m.deleted ? "(deleted)" : (m.text ?? ""))).join("\n");
      }
      case "kick": {
        if (!rest) return "usage: kick <user>";
        // Named as the account spells it (as POST /admin/kick answers), whatever spelling was typed.
        const { user, sessions } = await ops.kick(rest);
        return sessions > 0 ? `kicked ${user} (${sessions} session(s))` : `${rest} is not online`;
      }
      case "say": {
        if (isBlank(rest)) return "usage: say <text>";
        // The admin API's bounds: the console is no way around them.
        if (charLength(rest) > BROADCAST_MAX_CHARS) return `error: text is longer than ${BROADCAST_MAX_CHARS} characters`;
        const n = await ops.broadcast(rest);
        return `notice sent to ${n} signed-in connection${n === 1 ? "" : "s"}`;
      }
      case "motd":
        if (charLength(rest) > MOTD_MAX_CHARS) return `error: motd is longer than ${MOTD_MAX_CHARS} characters`;
        return rest ? `motd set: ${await ops.motd(rest)}` : `motd: ${await ops.motd()}`;
      case "reload": {
        const r = await ops.reload().catch((error: Error) => error);
        if (r instanceof Error) return `error: ${r.message}`;
        const changed = r.changed.length ? `changed ${r.changed.join(", ")}` : "nothing changed";
        const restart = r.restartRequired.length ? `; needs a process restart: ${r.restartRequired.join(", ")}` : "";
        return `reloaded: ${changed}${restart}; tls ${r.tls}`;
      }
      case "restart":
        return ops.restart().message;
      case "stop":
      case "quit":
      case "exit":
        return ops.stop().message;
      default:
        return `unknown command: ${command} (try help)`;
    }
  } catch (error) {
    const failure = describeFailure(error);
    if (failure.unexpected) throw error;
    return `error: ${failure.message}`;
  }
}

/**
 * One console line per line of a message, each with the message's prefix, so
 * a multi-line message cannot pass for other messages. Other control
 * characters are shown escaped (`\x1b`): chat text is anyone's, and must not
 * drive the operator's terminal.
 */
export function logLines(prefix: string, text: string): string[] {
  return text.split(/\r\n|\n|\r/).map((line) => prefix + escapeControls(line));
}

function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

export function formatDuration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (d) return `${d}d ${h}h ${m}m ${s}s`;
  if (h) return `${h}h ${m}m ${s}s`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}
