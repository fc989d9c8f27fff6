import { request } from "node:https";
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { runToExit, writeConfig } from "../../helpers/harness.ts";
import { ADMIN_TOKEN } from "../../helpers/daemon.ts";
import { TestClient } from "../../helpers/client.ts";
import type { IrcClient, Line } from "../../helpers/irc.ts";
import { ircPortOf, joinChannel, trailing, useIrcWorld } from "../../helpers/irc-world.ts";
import { startCluster } from "../../helpers/cluster.ts";
import { makeCertificate, servedFingerprint } from "../../helpers/tls.ts";
import { createLogger } from "../../../src/log.ts";

/** POSTs to the admin API over https trusting `ca`; resolves the status. */
function adminPost(port: number, path: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: "127.0.0.1", port, path, method: "POST", ca, servername: "localhost", headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    })
      .on("error", reject)
      .end();
  });
}

/** docs/configuration.md's irc.* fields and their bounds, the shared connection limits, TLS reloads and the cluster, from outside. */
describe("the IRC gateway's settings as documented", () => {
  const irc = useIrcWorld();
  const { world } = irc;

  it("an irc.* value out of its bounds is an invalid configuration (exit code 2)", async () => {
    const dir = await world.tempDir();
    const base = { CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_DATA_DIR: dir };
    const hash = "$2b$04$abcdefghijklmnopqrstuu3bW0B1GjuNU0U2pG1s1Q2VnE1o0wR4e";
    const bad: Array<[string, Record<string, unknown>, Record<string, string>]> = [
      ["a server name with a space", { irc: { port: 0, serverName: "bad name" } }, {}],
      ["a server name of 64 characters", { irc: { port: 0, serverName: "s".repeat(64) } }, {}],
      ["a port past 65535", { irc: { port: 65536 } }, {}],
      ["CHAT_IRC_PORT not a whole number", {}, { CHAT_IRC_PORT: "66.5" }],
      ["CHAT_IRC_TLS_PORT not a number", {}, { CHAT_IRC_TLS_PORT: "abc" }],
      ["two operators named alike in another case", { irc: { port: 0, operators: [{ name: "Ops", passwordHash: hash, role: "admin" }, { name: "ops", passwordHash: hash, role: "moderator" }] } }, {}],
      ["an operator role that is none", { irc: { port: 0, operators: [{ name: "ops", passwordHash: hash, role: "owner" }] } }, {}],
      ["an operator hash that is no bcrypt hash", { irc: { port: 0, operators: [{ name: "ops", passwordHash: "secret", role: "admin" }] } }, {}],
      ["an operator name with a space", { irc: { port: 0, operators: [{ name: "op s", passwordHash: hash, role: "admin" }] } }, {}],
      ["an operator with a field too many", { irc: { port: 0, operators: [{ name: "ops", passwordHash: hash, role: "admin", password: "x" }] } }, {}],
    ];
    const results: Array<[string, number | null]> = [];
    // One after the other: ten processes at once starve each other on a small machine.
    for (const [i, [what, config, env]] of bad.entries()) {
      const path = await writeConfig(dir, { bcryptCost: 4, ...config }, `bad-${i}.json`);
      results.push([what, (await runToExit({ ...base, CHAT_CONFIG: path, ...env }, 30_000)).code]);
    }
    expect(results).toEqual(bad.map(([what]) => [what, 2]));
  }, 120_000);

  it("a 63-character server name is the source of numerics; an empty CHAT_IRC_PORT leaves the file's irc.port", async () => {
    const name = `${"a".repeat(30)}.${"b".repeat(30)}-c`;
    const d = await irc.daemon({ serverName: name });
    const c = await irc.sign(d, "named");
    expect(c.lines.find((l) => l.command === "001")!.source).toBe(name);

    const dir = await world.tempDir();
    const path = await writeConfig(dir, { bcryptCost: 4, irc: { port: 0 } });
    const p = await world.spawn({ CHAT_CONFIG: path, CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_DATA_DIR: dir, CHAT_IRC_PORT: "" });
    const port = await (async () => {
      for (let i = 0; i < 100; i++) {
        try {
          return ircPortOf(p.output());
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      return ircPortOf(p.output());
    })();
    await irc.sign(port, "filer");
  });

  it("IRC and WebSocket connections count together against limits.maxConnections", async () => {
    const d = await irc.daemon({}, { limits: { maxConnections: 1 } });
    const web = await world.connect(d);
    const refused = await irc.raw(d);
    expect(trailing(await refused.next("ERROR"))).toBe("Closing link: server full");
    web.ws.terminate();
    await web.closed;
    // The WebSocket's slot is free again: an IRC client takes it, and the WebSocket is refused with 503.
    let c: IrcClient | undefined;
    for (let i = 0; i < 50 && !c; i++) {
      const tryIt = await irc.raw(d);
      tryIt.send("CAP LS 302");
      const first = await tryIt.next((l) => l.command === "CAP" || l.command === "ERROR");
      if (first.command === "CAP") c = tryIt;
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(c).toBeDefined();
    await expect(TestClient.connect(d.wsUrl)).rejects.toThrow(/503/);
  });

  it("WHOX's i: an IPv4-mapped address is shown as IPv4, ::1 as 0::1", async () => {
    const d = await irc.daemon({}, { host: "::" });
    const v4 = await irc.sign(d, "mapped");
    v4.send("WHO mapped %ni");
    expect((await v4.next("354")).params.slice(1)).toEqual(["127.0.0.1", "mapped"]);
    const socket = connect({ host: "::1", port: d.daemon.ircPort! });
    await new Promise<void>((resolve, reject) => socket.once("connect", () => resolve()).once("error", reject));
    world.onCleanup(() => socket.destroy());
    let buffer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (buffer += chunk));
    const user = "sixer";
    await world.signIn(d, user).then(({ client }) => client.close());
    const auth = Buffer.from(`\0${user}\0correct-horse`).toString("base64");
    socket.write(`CAP LS 302\r\nNICK ${user}\r\nUSER ${user} 0 * :${user}\r\nCAP REQ :sasl\r\nAUTHENTICATE PLAIN\r\n`);
    for (let i = 0; i < 100 && !buffer.includes("AUTHENTICATE +"); i++) await new Promise((r) => setTimeout(r, 20));
    socket.write(`AUTHENTICATE ${auth}\r\nCAP END\r\nWHO ${user} %ni\r\n`);
    for (let i = 0; i < 200 && !/ 354 /.test(buffer); i++) await new Promise((r) => setTimeout(r, 20));
    const row = buffer.split("\r\n").find((l) => / 354 /.test(l));
    expect(row).toBe(`:chatd 354 ${user} 0::1 ${user}`);
  });

  it("a certificate reload (POST /admin/reload) applies to the IRC TLS port", async () => {
    const dir = await world.tempDir();
    const first = makeCertificate(dir);
    const path = await writeConfig(dir, { bcryptCost: 4 });
    const p = await world.spawn({
      CHAT_CONFIG: path, CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_DATA_DIR: dir, CHAT_ADMIN_TOKEN: ADMIN_TOKEN,
      CHAT_IRC_TLS_PORT: "0", CHAT_TLS_CERT: first.cert, CHAT_TLS_KEY: first.key,
    });
    const tlsPort = Number(/"msg":"irc listening".*?"tlsPort":(\d+)/.exec(p.output())![1]);
    expect(await servedFingerprint(tlsPort)).toBe(first.fingerprint);
    const second = makeCertificate(dir); // the same files, a new certificate
    expect(await adminPost(p.port, "/admin/reload", first.pem)).toBe(200);
    expect(await servedFingerprint(tlsPort)).toBe(second.fingerprint);
  });

  it("irc is read at start: a reload reports a change of it in restartRequired", async () => {
    const dir = await world.tempDir();
    const path = await writeConfig(dir, { bcryptCost: 4, irc: { port: 0 } });
    const p = await world.spawn({ CHAT_CONFIG: path, CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_DATA_DIR: dir, CHAT_ADMIN_TOKEN: ADMIN_TOKEN });
    await writeConfig(dir, { bcryptCost: 4, irc: { port: 0, serverName: "renamed" } });
    const res = await fetch(`http://127.0.0.1:${p.port}/admin/reload`, { method: "POST", headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    const body = (await res.json()) as { restartRequired: string[] };
    expect(body.restartRequired.some((f) => f === "irc" || f.startsWith("irc."))).toBe(true);
  });

  it("in a cluster, an IRC user on node A sees web users on node B: JOIN, 353, WHO, WHOIS, ISON, USERHOST, LUSERS and TOPIC", async () => {
    const cluster = await startCluster(2, { CHAT_IRC_PORT: "0" });
    world.onCleanup(() => cluster.close());
    const [a, b] = cluster.nodes;
    const c = await irc.sign(ircPortOf(a!.output()), "ircy");
    const { client: web } = await world.member(b!, "webby", "shared");
    const names = (await joinChannel(c, "#shared")).find((l) => l.command === "353")!;
    expect(names.params[3]!.split(" ").map((n) => n.replace(/^[@+]+/, "")).sort()).toEqual(["ircy", "webby"]);
    const { client: late } = await world.member(b!, "later", "shared");
    expect((await c.next("JOIN")).source).toBe("later!later@chatd");
    c.send("WHO #shared");
    expect((await c.until("315")).filter((l) => l.command === "352").map((l) => l.params[5]).sort()).toEqual(["ircy", "later", "webby"]);
    c.send("WHOIS webby");
    const whois = await c.until("318");
    expect(whois.filter((l) => l.command === "319").map(trailing)).toEqual(["#shared"]);
    expect(whois.filter((l) => l.command === "301")).toEqual([]);
    c.send("ISON webby later nobody");
    expect(trailing(await c.next("303")).split(" ").sort()).toEqual(["later", "webby"]);
    c.send("USERHOST webby");
    expect(trailing(await c.next("302"))).toMatch(/^webby\*?=[+-]webby@chatd$/);
    c.send("LUSERS");
    expect(trailing(await c.next("251"))).toMatch(/\b3 users\b/);
    web.send({ type: "topic", room: "shared", text: "from node B", ref: 1 });
    const topic: Line = await c.next("TOPIC");
    expect([topic.source, ...topic.params]).toEqual(["webby!webby@chatd", "#shared", "from node B"]);
    late.send({ type: "leave", room: "shared" });
    expect((await c.next("PART")).source).toBe("later!later@chatd");
  });

  it("irc.tlsPort serves IRC over TLS with the daemon's certificate; irc.port 0 is printed in the irc listening log line", async () => {
    const dir = await world.tempDir();
    const { cert, key } = makeCertificate(dir);
    const logged: string[] = [];
    const logger = createLogger({ level: "info", write: (line) => logged.push(line) });
    const d = await irc.daemon({ tlsPort: 0 }, { tls: { cert, key } }, { logger });
    const line = logged.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === "irc listening")!;
    expect(line.port).toBe(d.daemon.ircPort);
    const c = await irc.sign(d.daemon.ircTlsPort!, "secure", { tls: true });
    expect(c.socket.constructor.name).toBe("TLSSocket");
    await joinChannel(c, "#general");
  });

  it("irc.tlsPort without tls.cert and tls.key: the daemon does not start (exit code 1)", async () => {
    const dir = await world.tempDir();
    const p = await world.spawn({ CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_DATA_DIR: dir, CHAT_IRC_TLS_PORT: "0" }, { waitListening: false });
    expect((await p.exited).code).toBe(1);
  });
});
