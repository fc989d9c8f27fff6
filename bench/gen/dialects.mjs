/**
 * What the generator says to each kind of server. Setup (sign-in, join) parses
 * JSON, since it happens once per connection; the hot path only classifies a
 * frame by one byte at a fixed offset and, for sampled connections, reads the
 * send time carried in the text as `~<µs>~`.
 */
export const OTHER = 0;
export const MESSAGE = 1;
export const ACK = 2;
export const PONG = 3;
export const ENGINE_PING = 4;

const m = 0x6d; // 'm'
const a = 0x61; // 'a'
const p = 0x70; // 'p'
const o = 0x6f; // 'o'

/** `{"type":"message"...`: the type's first letter is byte 9. */
function classifyJson(buf, s, e) {
  if (e - s < 12) return OTHER;
  const c = buf[s + 9];
  if (c === m) return MESSAGE;
  if (c === a) return ACK;
  if (c === p && buf[s + 10] === o) return PONG;
  return OTHER;
}

/** Engine.IO v4 over a WebSocket: `2` ping, `42["message",...]` event. */
function classifySocketIo(buf, s, e) {
  if (e - s === 1) return buf[s] === 0x32 ? ENGINE_PING : OTHER;
  if (e - s < 8 || buf[s] !== 0x34 || buf[s + 1] !== 0x32) return OTHER;
  const c = buf[s + 4];
  if (c === m) return MESSAGE;
  if (c === a) return ACK;
  return OTHER;
}

/** Reads the integer after the first `~` in the payload, or -1. */
export function readStamp(buf, s, e) {
  const i = buf.indexOf(0x7e, s);
  if (i < 0 || i >= e) return -1;
  return readInt(buf, i + 1, e);
}

const REF = Buffer.from('"ref":');
/** Reads the integer after `"ref":`, or -1. */
export function readRef(buf, s, e) {
  const i = buf.indexOf(REF, s);
  if (i < 0 || i >= e) return -1;
  return readInt(buf, i + REF.length, e);
}

function readInt(buf, i, e) {
  let v = 0;
  let any = false;
  for (; i < e; i++) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
    any = true;
  }
  return any ? v : -1;
}

const json = JSON.stringify;

/** chatd's documented protocol (docs/protocol.md). */
const chatd = {
  name: "chatd",
  path: () => "/ws",
  classify: classifyJson,
  say: (room, text, ref) => json(ref === undefined ? { type: "say", room, text } : { type: "say", room, text, ref }),
  ping: (ref) => json({ type: "ping", ref }),
  hello: (token) => json({ type: "hello", token }),
  onOpen(c) {
    c.joined = 0;
    c.usedToken = Boolean(c.spec.token);
    // Connected only: the sign-in scenario sends the hello later, to time it alone.
    if (c.spec.deferHello) return true;
    const hello = c.usedToken ? { type: "hello", token: c.spec.token } : { type: "hello", user: c.spec.user, password: c.spec.password };
    // Frames right behind `hello` are held until the sign-in succeeds.
    c.ws.sendTexts([json(hello), ...c.spec.rooms.map((room) => json({ type: "join", room }))]);
  },
  onSetup(c, text) {
    const f = JSON.parse(text);
    if (f.type === "welcome") {
      c.token = f.token;
      return c.spec.rooms.length === 0;
    }
    if (f.type === "joined") return ++c.joined === c.spec.rooms.length;
    if (f.type === "error") {
      if (f.code === "not_authenticated") return false;
      if (f.code === "auth_failed" && c.usedToken && c.spec.password) {
        // Stale cached token: sign in with the password and join again.
        c.usedToken = false;
        c.ws.sendTexts([json({ type: "hello", user: c.spec.user, password: c.spec.password }), ...c.spec.rooms.map((room) => json({ type: "join", room }))]);
        return false;
      }
      throw new Error(`chatd error ${f.code}: ${f.message}`);
    }
    return false;
  },
};

/** The bench's minimal rooms protocol on plain `ws` (servers/ws-rooms.mjs). */
const wsRooms = {
  name: "ws-rooms",
  path: (user) => `/?user=${encodeURIComponent(user)}`,
  classify: classifyJson,
  say: chatd.say,
  ping: chatd.ping,
  onOpen(c) {
    c.joined = 0;
    if (c.spec.rooms.length === 0) return true;
    c.ws.sendTexts(c.spec.rooms.map((room) => json({ type: "join", room })));
    return false;
  },
  onSetup(c, text) {
    const f = JSON.parse(text);
    if (f.type === "joined") return ++c.joined === c.spec.rooms.length;
    return false;
  },
};

/** Socket.IO 4 over its websocket transport, spoken directly (Engine.IO v4 packets). */
const socketIo = {
  name: "socket.io",
  path: (user) => `/socket.io/?EIO=4&transport=websocket&user=${encodeURIComponent(user)}`,
  classify: classifySocketIo,
  say: (room, text, ref) => "42" + json(["say", ref === undefined ? { room, text } : { room, text, ref }]),
  ping: () => {
    throw new Error("socket.io dialect has no application ping");
  },
  onOpen(c) {
    c.joined = 0;
    return false;
  },
  onSetup(c, text) {
    if (text === "2") {
      c.ws.sendText("3");
      return false;
    }
    if (text.startsWith("0")) {
      c.ws.sendText("40"); // open -> connect the main namespace
      return false;
    }
    if (text.startsWith("40")) {
      if (c.spec.rooms.length === 0) return true;
      c.ws.sendTexts(c.spec.rooms.map((room) => "42" + json(["join", room])));
      return false;
    }
    if (text.startsWith("44")) throw new Error(`socket.io connect_error ${text}`);
    if (text.startsWith('42["joined"')) return ++c.joined === c.spec.rooms.length;
    return false;
  },
};

const COLON = 0x3a;
const SPACE = 0x20;
const PRIVMSG = Buffer.from(" PRIVMSG ");
const PONG_CMD = Buffer.from(" PONG ");

/**
 * IRC over TCP (irc-client.mjs): chatd's IRC port and Ergo. A line
 * `:nick!user@host PRIVMSG #room :text` is a delivery; with echo-message the
 * sender's own copy is also its ack (issue 21: the echo is the IRC ack). A spec
 * with `sasl` signs in with SASL PLAIN (chatd's accounts); without, NICK/USER only.
 */
const irc = {
  name: "irc",
  transport: "irc",
  path: () => "",
  classify(buf, s, e) {
    if (buf[s] !== COLON) return OTHER;
    const sp = buf.indexOf(SPACE, s);
    if (sp < 0 || sp >= e) return OTHER;
    if (buf.compare(PRIVMSG, 0, PRIVMSG.length, sp, sp + PRIVMSG.length) === 0) return MESSAGE;
    if (buf.compare(PONG_CMD, 0, PONG_CMD.length, sp, sp + PONG_CMD.length) === 0) return PONG;
    return OTHER;
  },
  /** Whether a PRIVMSG line is the connection's own (echo-message). */
  isOwn(c, buf, s) {
    const nick = c.nickBytes;
    return buf[s + 1 + nick.length] === 0x21 && buf.compare(nick, 0, nick.length, s + 1, s + 1 + nick.length) === 0;
  },
  /** The send stamp, read from the trailing parameter (the prefix may hold a `~`). */
  stamp(buf, s, e) {
    const i = buf.indexOf(" :", s + 1);
    return i < 0 || i >= e ? -1 : readStamp(buf, i, e);
  },
  say: (room, text) => `PRIVMSG #${room} :${text}`,
  ping: (ref) => `PING :${ref}`,
  onOpen(c) {
    c.joined = 0;
    c.nickBytes = Buffer.from(c.spec.user);
    const caps = c.spec.sasl ? "sasl echo-message" : "echo-message";
    c.ws.sendTexts([`CAP REQ :${caps}`, `NICK ${c.spec.user}`, `USER ${c.spec.user} 0 * :${c.spec.user}`]);
    return false;
  },
  onSetup(c, line) {
    const words = line.split(" ");
    const cmd = line.startsWith(":") ? words[1] : words[0];
    if (cmd === "CAP" && words[3] === "ACK") {
      c.ws.sendText(c.spec.sasl ? "AUTHENTICATE PLAIN" : "CAP END");
    } else if (cmd === "CAP" && words[3] === "NAK") {
      throw new Error(`CAP NAK: ${line}`);
    } else if (cmd === "AUTHENTICATE" && words.at(-1) === "+") {
      const { user, password } = c.spec;
      c.ws.sendText(`AUTHENTICATE ${Buffer.from(`${user}\0${user}\0${password}`).toString("base64")}`);
    } else if (cmd === "903") {
      c.ws.sendText("CAP END");
    } else if (cmd === "001") {
      if (c.spec.rooms.length === 0) return true;
      c.ws.sendText(`JOIN ${c.spec.rooms.map((r) => `#${r}`).join(",")}`);
    } else if (cmd === "366") {
      return ++c.joined === c.spec.rooms.length;
    } else if (cmd === "ERROR" || /^(4(0[0-9]|3[1-6]|[4-9][0-9])|90[2-7])$/.test(cmd)) {
      throw new Error(`IRC ${line}`);
    }
    return false;
  },
};

export const dialects = { chatd, "ws-rooms": wsRooms, "socket.io": socketIo, irc };
