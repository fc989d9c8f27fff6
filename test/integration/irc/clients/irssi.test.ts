import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { World, PASSWORD, say } from "../../../helpers/harness.ts";
import { needBinary } from "../../../helpers/needs.ts";
import { Tmux } from "../../../helpers/tmux.ts";
import { terminalShot } from "../../../helpers/terminal-shot.ts";
import { ircDaemon, messageFrom } from "./daemon.ts";

const COLUMNS = 100;

/** irssi's config: one network, `chatd`, signing in with SASL PLAIN as `alice`. */
function irssiConfig(port: number): string {
  return `servers = (
  { address = "127.0.0.1"; chatnet = "chatd"; port = "${port}"; use_tls = "no"; autoconnect = "no"; }
);
chatnets = {
  chatd = {
    type = "IRC";
    nick = "alice";
    username = "alice";
    realname = "Alice";
    sasl_mechanism = "PLAIN";
    sasl_username = "alice";
    sasl_password = "${PASSWORD}";
  };
};
settings = {
  core = { real_name = "Alice"; user_name = "alice"; nick = "alice"; settings_autosave = "no"; };
  "fe-common/core" = { autolog = "no"; };
};
`;
}

describe("irssi (Debian's irssi, in tmux) in the same room as a web user", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("signs in with SASL, joins #general with its history, talks both ways, parts and quits", { timeout: 60_000 }, async () => {
    needBinary("irssi");
    const d = await ircDaemon(world);
    // bob, on the web, talks first: irssi gets it as history when it joins.
    const { client: bob } = await world.member(d, "bob");
    await say(bob, "general", ["said before irssi came"]);

    const home = await world.tempDir();
    await writeFile(join(home, "config"), irssiConfig(d.ircPort));
    const irssi = await Tmux.start(["irssi", `--home=${home}`, `--config=${join(home, "config")}`], { columns: COLUMNS, rows: 30 });
    world.onCleanup(() => irssi.close());
    await irssi.waitFor(/\[\(status\)\]|\(status\)/);

    await irssi.type("/connect chatd");
    await irssi.waitFor(/SASL authentication succeeded/i);
    await irssi.waitFor(/Welcome/);

    await irssi.type("/join #general");
    await irssi.waitFor(/alice .*has joined #general/);
    await irssi.waitFor(/said before irssi came/);
    expect(await bob.next("presence")).toMatchObject({ room: "general", user: "alice", event: "join" });

    await say(bob, "general", ["hello from the web"]);
    await irssi.waitFor(/bob> hello from the web/);

    await irssi.type("hello from irssi");
    const fromIrssi = await messageFrom(bob, "alice");
    expect(fromIrssi).toMatchObject({ room: "general", from: "alice", text: "hello from irssi" });
    await irssi.waitFor(/alice> hello from irssi/);

    await terminalShot(await irssi.screen(true), { name: "irc-irssi", docsName: "screenshot-irssi.png", title: "irssi 1.4 — chatd's #general, bob writes from the web page", columns: COLUMNS });

    await irssi.type("/part #general");
    expect(await bob.next("presence")).toMatchObject({ room: "general", user: "alice", event: "leave" });

    await irssi.type("/quit bye");
    await irssi.waitForExit();
  });
});
