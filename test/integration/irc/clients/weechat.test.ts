import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { World, PASSWORD, eventually, say } from "../../../helpers/harness.ts";
import { needBinary } from "../../../helpers/needs.ts";
import { Tmux } from "../../../helpers/tmux.ts";
import { terminalShot } from "../../../helpers/terminal-shot.ts";
import { ircDaemon, messageFrom } from "./daemon.ts";

const COLUMNS = 100;

/** WeeChat's start-up commands: log every line at once, a `chatd` server signing in with SASL PLAIN, connect. */
function startCommands(port: number, nick: string): string {
  return [
    "/set logger.file.flush_delay 0",
    "/set logger.level.irc 9",
    `/server add chatd 127.0.0.1/${port} -notls -sasl_mechanism=plain -sasl_username=${nick} -sasl_password=${PASSWORD} -nicks=${nick} -username=${nick} -realname=${nick}`,
    "/connect chatd",
  ].join(";");
}

/** One of WeeChat's buffer logs (logger plugin), or "" while it does not exist. */
async function weechatLog(home: string, name: string): Promise<string> {
  const path = join(home, "logs", `${name}.weechatlog`);
  return existsSync(path) ? readFile(path, "utf8") : "";
}

describe("WeeChat in the same room as a web user", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("weechat-headless: signs in with SASL, joins #general with its history, talks both ways, parts and quits", { timeout: 60_000 }, async () => {
    needBinary("weechat-headless");
    const d = await ircDaemon(world);
    const { client: bob } = await world.member(d, "bob");
    await say(bob, "general", ["said before weechat came"]);

    const home = await world.tempDir();
    const weechat = spawn("weechat-headless", ["-d", home, "-r", startCommands(d.ircPort, "carol")], { stdio: "ignore" });
    const exited = new Promise<number | null>((resolve) => weechat.once("exit", (code) => resolve(code)));
    world.onCleanup(async () => {
      if (weechat.exitCode === null && weechat.signalCode === null) weechat.kill("SIGKILL");
      await exited;
    });
    // Commands go in through WeeChat's FIFO (the fifo plugin): `<buffer> *<text or /command>`.
    const fifo = await eventually(async () => (await readdir(home)).find((f) => f.startsWith("weechat_fifo")), { timeoutMs: 10_000, what: "WeeChat's FIFO" });
    const command = (buffer: string, text: string) => writeFile(join(home, fifo!), `${buffer} *${text}\n`, { flag: "a" });

    await eventually(async () => /SASL authentication successful/i.test(await weechatLog(home, "irc.server.chatd")), { timeoutMs: 10_000, what: "SASL success in WeeChat's server buffer" });
    await command("irc.server.chatd", "/join #general");
    expect(await bob.next("presence")).toMatchObject({ room: "general", user: "carol", event: "join" });
    await eventually(async () => (await weechatLog(home, "irc.chatd.#general")).includes("said before weechat came"), { what: "the history in WeeChat's #general" });

    await say(bob, "general", ["hello from the web"]);
    await eventually(async () => /bob\thello from the web/.test(await weechatLog(home, "irc.chatd.#general")), { what: "bob's line in WeeChat's #general" });

    await command("irc.chatd.#general", "hello from weechat");
    expect(await messageFrom(bob, "carol")).toMatchObject({ room: "general", from: "carol", text: "hello from weechat" });

    await command("irc.chatd.#general", "/part");
    expect(await bob.next("presence")).toMatchObject({ room: "general", user: "carol", event: "leave" });
    await command("irc.server.chatd", "/quit");
    expect(await exited).toBe(0);
  });

  it("WeeChat in a terminal (tmux): the same conversation, on screen", { timeout: 60_000 }, async () => {
    needBinary("weechat");
    const d = await ircDaemon(world);
    const { client: bob } = await world.member(d, "bob");
    await say(bob, "general", ["said before weechat came"]);

    const home = await world.tempDir();
    const weechat = await Tmux.start(["weechat", "-d", home, "-r", startCommands(d.ircPort, "dave")], { columns: COLUMNS, rows: 30 });
    world.onCleanup(() => weechat.close());
    await weechat.waitFor(/SASL authentication successful/i);

    await weechat.type("/join #general");
    await weechat.waitFor(/said before weechat came/);
    expect(await bob.next("presence")).toMatchObject({ room: "general", user: "dave", event: "join" });

    await say(bob, "general", ["hello from the web"]);
    await weechat.waitFor(/bob .*hello from the web/);
    await weechat.type("hello from weechat");
    expect(await messageFrom(bob, "dave")).toMatchObject({ room: "general", from: "dave", text: "hello from weechat" });
    await weechat.waitFor(/dave .*hello from weechat/);

    await terminalShot(await weechat.screen(true), { name: "irc-weechat", docsName: "screenshot-weechat.png", title: "WeeChat 3.8 — chatd's #general, bob writes from the web page", columns: COLUMNS });

    await weechat.type("/part");
    expect(await bob.next("presence")).toMatchObject({ room: "general", user: "dave", event: "leave" });
    await weechat.type("/quit");
    await weechat.waitForExit();
  });
});
