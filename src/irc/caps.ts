import type { IrcConnection } from "./connection.ts";
import type { IrcMessage } from "./line.ts";

/**
 * The IRCv3 capabilities the gateway offers (docs/irc.md). `sasl` lists its
 * one mechanism in CAP LS 302.
 */
export const CAPABILITIES: ReadonlyMap<string, string> = new Map([
  ["account-tag", ""],
  ["away-notify", ""],
  ["batch", ""],
  ["cap-notify", ""],
  ["draft/chathistory", ""],
  ["draft/message-redaction", ""],
  ["echo-message", ""],
  ["labeled-response", ""],
  ["message-tags", ""],
  ["multi-prefix", ""],
  ["sasl", "PLAIN"],
  ["server-time", ""],
  ["userhost-in-names", ""],
]);

/** CAP LS, LIST, REQ, END. */
export function capCommand(conn: IrcConnection, msg: IrcMessage): void {
  const sub = (msg.params[0] ?? "").toUpperCase();
  const out = conn.reply(msg);
  const nick = conn.nick;
  switch (sub) {
    case "LS": {
      if (!conn.registered) conn.negotiating = true;
      const v302 = Number(msg.params[1] ?? "0") >= 302;
      if (v302) conn.caps.add("cap-notify");
      const list = [...CAPABILITIES].map(([name, value]) => (v302 && value ? `${name}=${value}` : name)).join(" ");
      out.add(conn.server, "CAP", [nick, "LS", list], [], true);
      break;
    }
    case "LIST":
      out.add(conn.server, "CAP", [nick, "LIST", [...conn.caps].join(" ")], [], true);
      break;
    case "REQ": {
      if (!conn.registered) conn.negotiating = true;
      const asked = (msg.params[1] ?? "").split(" ").filter((c) => c !== "");
      const known = asked.every((c) => CAPABILITIES.has(c.startsWith("-") ? c.slice(1) : c));
      // cap-notify cannot be turned off once CAP LS 302 turned it on; nor anything that is not offered.
      const refused = !known || asked.includes("-cap-notify");
      if (refused) out.add(conn.server, "CAP", [nick, "NAK", asked.join(" ")], [], true);
      else {
        for (const c of asked) {
          if (c.startsWith("-")) conn.caps.delete(c.slice(1));
          else conn.caps.add(c);
        }
        conn.capsChanged();
        out.add(conn.server, "CAP", [nick, "ACK", asked.join(" ")], [], true);
      }
      break;
    }
    case "END":
      if (conn.registered) break;
      conn.negotiating = false;
      out.release();
      conn.tryRegister();
      return;
    default:
      conn.num(out, "410", sub || "*", "Invalid CAP command");
  }
  out.release();
}
