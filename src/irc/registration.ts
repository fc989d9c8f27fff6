import { isNameError, normalizeName, userKey, VERSION_TEXT } from "./names.ts";
import { onlineByKey } from "./online.ts";
import type { IrcConnection } from "./connection.ts";
import type { IrcMessage } from "./line.ts";
import type { Reply } from "./reply.ts";
import { capCommand } from "./caps.ts";
import { isupport } from "./isupport.ts";
import { digestsEqual, hashSecret } from "../accounts/tokens.ts";

/** The most base64 one AUTHENTICATE line carries; a full line means more follows. */
const SASL_CHUNK = 400;
/** The most a SASL PLAIN response may be (decoded): two names and a password, with room. */
const SASL_MAX = 1024;

/**
 * Commands before registration completes: CAP, NICK, USER, PASS,
 * AUTHENTICATE (SASL PLAIN), PING, QUIT. Sign-in is a chatd `hello`, sent
 * by SASL as soon as the client authenticates, or with PASS once NICK and
 * USER are in: the same sign-in as the web page's, under the same rules.
 */
export function registrationCommand(conn: IrcConnection, msg: IrcMessage): void {
  switch (msg.command) {
    case "CAP":
      return capCommand(conn, msg);
    case "NICK": {
      const nick = msg.params[0];
      if (!nick) return conn.numeric("431", "No nickname given");
      const name = normalizeName(nick);
      if (isNameError(name)) return conn.numeric("432", nick, `Erroneous nickname: ${name.error}`);
      conn.nick = name.display;
      return conn.tryRegister();
    }
    case "USER": {
      if (msg.params.length < 4 || msg.params[3] === "" || msg.params[0] === "") return conn.numeric("461", "USER", "Not enough parameters");
      conn.userName = msg.params[0]!;
      conn.realName = msg.params[3]!;
      return conn.tryRegister();
    }
    case "PASS":
      if (msg.params.length < 1) return conn.numeric("461", "PASS", "Not enough parameters");
      // With irc.password, PASS is the server's password (only whether it matched is kept); else the account's.
      if (conn.ctx.config.irc.password !== "") conn.serverPassword = sameSecret(msg.params[0]!, conn.ctx.config.irc.password);
      else conn.password = msg.params[0]!;
      return;
    case "AUTHENTICATE":
      return authenticate(conn, msg);
    case "PING":
      return conn.pong(msg);
    case "PONG":
      return;
    case "QUIT":
      return conn.close(1000, "Quit");
    default:
      return conn.numeric("451", msg.command, "You have not registered");
  }
}

/** SASL PLAIN: AUTHENTICATE PLAIN, then the base64 of `authzid \0 authcid \0 password`, in 400-byte lines. */
function authenticate(conn: IrcConnection, msg: IrcMessage): void {
  const arg = msg.params[0] ?? "";
  if (conn.auth === "done") return conn.numeric("907", "You have already authenticated using SASL");
  if (arg === "*") {
    conn.saslMechanism = undefined;
    conn.saslBuffer = "";
    return conn.numeric("906", "SASL authentication aborted");
  }
  if (conn.saslMechanism === undefined) {
    if (arg.toUpperCase() !== "PLAIN") {
      conn.numeric("908", "PLAIN", "are available SASL mechanisms");
      return conn.numeric("904", "SASL authentication failed");
    }
    if (conn.auth !== "none") return conn.numeric("904", "SASL authentication failed: a sign-in is in progress");
    conn.saslMechanism = "PLAIN";
    return conn.write(`AUTHENTICATE +\r\n`);
  }
  if (arg.length > SASL_CHUNK) return saslFail(conn, "SASL message too long", "905");
  if (arg !== "+") conn.saslBuffer += arg;
  if (conn.saslBuffer.length > (SASL_MAX * 4) / 3 + 4) return saslFail(conn, "SASL message too long", "905");
  if (arg.length === SASL_CHUNK) return;
  const parts = decodePlain(conn.saslBuffer);
  conn.saslBuffer = "";
  conn.saslMechanism = undefined;
  if (!parts) return saslFail(conn, "SASL authentication failed: not a PLAIN response");
  const [authzid, authcid, password] = parts;
  if (authzid !== "" && authzid.toLowerCase() !== authcid.toLowerCase()) return saslFail(conn, "SASL authentication failed: authorization identity must be the account");
  conn.auth = "sasl";
  conn.saslReply = conn.reply(msg);
  conn.hello(authcid, password);
}

function saslFail(conn: IrcConnection, text: string, code = "904"): void {
  conn.saslBuffer = "";
  conn.saslMechanism = undefined;
  conn.numeric(code, text);
}

function decodePlain(b64: string): [string, string, string] | undefined {
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
  const parts = new TextDecoder().decode(bytes).split("\u0000");
  if (parts.length !== 3 || parts[1] === "") return undefined;
  return parts as [string, string, string];
}

/** NICK and USER are in, and CAP negotiation is over: sign in with PASS if SASL did not, then the welcome burst. */
export function tryRegister(conn: IrcConnection): void {
  if (conn.registered || conn.negotiating || conn.nick === "*" || conn.userName === undefined) return;
  if (conn.ctx.config.irc.password !== "" && !conn.serverPassword) {
    // As Ergo: ERR_PASSWDMISMATCH, then ERROR and the connection closes (a SASL sign-in done meanwhile is let go).
    conn.numeric("464", "Password incorrect");
    return conn.close(1008, "Bad password");
  }
  if (conn.auth === "done") return welcomeBurst(conn);
  if (conn.auth !== "none") return;
  if (conn.password !== undefined) {
    conn.auth = "pass";
    return conn.hello(conn.nick, conn.password);
  }
  if (!conn.ctx.config.irc.guests) {
    conn.numeric("464", "Password required: sign in with SASL PLAIN or PASS (your chatd account and password)");
    return conn.close(1008, "Password required");
  }
  // A guest: the nick is an account whose password only this server knows (see guestPassword).
  const nick = conn.nick;
  const key = userKey(nick) ?? nick;
  // A nick is one connection on IRC: a guest whose name is online, or signing in here, is turned away.
  if (conn.ctx.guestsSigningIn.has(key)) {
    conn.nick = "*";
    return conn.numeric("433", nick, "Nickname is already in use");
  }
  conn.auth = "guest";
  conn.guestKey = key;
  conn.ctx.guestsSigningIn.add(key);
  void guestSignIn(conn, key).then((password) => {
    if (conn.auth !== "guest" || conn.nick !== nick) return;
    if (typeof password === "string") return conn.hello(nick, password);
    releaseGuest(conn);
    if (password === NO_NEW_GUESTS) {
      // No account of that name, and none may be made: a guest it cannot be, so a password is required.
      conn.numeric("464", "Password required: sign in with SASL PLAIN or PASS (your chatd account and password)");
      return conn.close(1008, "Password required");
    }
    conn.auth = "none";
    conn.nick = "*";
    conn.numeric("433", nick, "Nickname is already in use");
  });
}

/** The guest's sign-in is over (or its connection is gone): its name is free for another to ask. */
export function releaseGuest(conn: IrcConnection): void {
  if (conn.guestKey === undefined) return;
  conn.ctx.guestsSigningIn.delete(conn.guestKey);
  conn.guestKey = undefined;
}

/** guestSignIn's answer when `registration` is `closed` and the name is no account: no guest can be made. */
export const NO_NEW_GUESTS = Symbol("no new guests");

/** The guest's password, undefined when the name is online already (on any node), NO_NEW_GUESTS when it is no account and none may be made. */
export async function guestSignIn(conn: IrcConnection, key: string): Promise<string | undefined | typeof NO_NEW_GUESTS> {
  const online = conn.ctx.chat.hub.userSessions(key).size > 0 || onlineByKey(await conn.ctx.chat.presence.users()).has(key);
  if (online) return undefined;
  if (conn.ctx.config.registration !== "open" && (await conn.ctx.chat.accounts.findUser(key)) === undefined) return NO_NEW_GUESTS;
  return guestPassword(conn.ctx.guestSecret, key);
}

/**
 * The password of a guest's account: a hash of the name and a secret made
 * when the gateway started. The same nick is the same guest until a restart;
 * a name someone registered with a password is not a guest's.
 */
async function guestPassword(secret: string, key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${secret}\u0000${key}`));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The server password (irc.password) against what PASS gave: SHA-256 digests compared in constant time, as the admin token is. */
function sameSecret(given: string, configured: string): boolean {
  return digestsEqual(hashSecret(given), hashSecret(configured));
}

/** The sign-in succeeded (the session's welcome): the account's name is the nick from now on. */
export function signedIn(conn: IrcConnection, account: string): void {
  const via = conn.auth;
  releaseGuest(conn);
  conn.auth = "done";
  conn.guest = via === "guest";
  conn.password = undefined;
  if (via === "sasl") {
    const out = conn.saslReply ?? conn.reply(undefined);
    conn.saslReply = undefined;
    const mask = `${conn.nick}!${conn.userName ?? account}@${conn.ctx.renderer.host}`;
    conn.num(out, "900", mask, account, `You are now logged in as ${account}`);
    conn.num(out, "903", "SASL authentication successful");
    out.release();
  }
  conn.nick = account;
  conn.tryRegister();
}

/**
 * The sign-in failed: SASL says so and may try again; PASS closes, as a wrong
 * server password does; a guest whose nick is someone's account may pick another.
 */
export function signInFailed(conn: IrcConnection, code: string, message: string): void {
  const via = conn.auth;
  releaseGuest(conn);
  conn.auth = "none";
  if (via === "guest" && code === "auth_failed") {
    conn.numeric("433", conn.nick, "Nickname is registered: sign in with SASL or PASS, or pick another");
    conn.nick = "*";
    return;
  }
  if (via === "sasl") {
    const out = conn.saslReply ?? conn.reply(undefined);
    conn.saslReply = undefined;
    conn.num(out, "904", `SASL authentication failed: ${message}`);
    out.release();
    return;
  }
  conn.numeric("464", `Password incorrect: ${message}`);
  conn.close(1008, "Bad password");
}

/** 001 to 005 and the MOTD. */
function welcomeBurst(conn: IrcConnection): void {
  const { ctx } = conn;
  const out = conn.reply(undefined);
  const mask = `${conn.nick}!${conn.nick}@${ctx.renderer.host}`;
  conn.num(out, "001", `Welcome to the ${ctx.config.name} IRC gateway, ${mask}`);
  conn.num(out, "002", `Your host is ${ctx.server}, running version ${VERSION_TEXT}`);
  conn.num(out, "003", `This server was created ${ctx.startedAt.toUTCString()}`);
  conn.num(out, "004", ctx.server, VERSION_TEXT, "io", "bnoqstv");
  for (const tokens of isupport(ctx)) conn.num(out, "005", ...tokens, "are supported by this server");
  motd(conn, out);
  conn.num(out, "221", "+i");
  out.release();
  conn.registeredNow();
}

/** 375/372/376 with chatd's motd, one 372 per line; 422 when there is none. */
export function motd(conn: IrcConnection, out: Reply): void {
  const text = conn.ctx.config.motd;
  if (text.trim() === "") return conn.num(out, "422", "MOTD File is missing");
  conn.num(out, "375", `- ${conn.server} Message of the day -`);
  for (const line of text.split(/\r\n|\r|\n/)) conn.num(out, "372", `- ${line}`);
  conn.num(out, "376", "End of /MOTD command");
}
