import { createServer, type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { World, writeConfig } from "../../helpers/harness.ts";
import { daemonCommand, type RuntimeName } from "../../helpers/runtimes.ts";
import { startCluster } from "../../helpers/cluster.ts";
import { ircSignIn } from "../../helpers/irc.ts";
import { makeCertificate } from "../../helpers/tls.ts";
import { TestClient } from "../../helpers/client.ts";
import { ircPortOf } from "../../helpers/irc-world.ts";

/** IRC on each runtime, as a process started like `npm start` / `deno task start`, plain and TLS. */
describe.each<RuntimeName>(["node", "deno"])("the IRC gateway on %s", (runtime) => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("talks with a web client over plain TCP and over TLS with the daemon's certificate", async () => {
    const dir = await world.tempDir();
    const { cert, key } = makeCertificate(dir);
    const configPath = await writeConfig(dir, { bcryptCost: 4, rooms: ["general"] });
    const p = await world.spawn(
      { CHAT_CONFIG: configPath, CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_DATA_DIR: dir, CHAT_IRC_PORT: "0", CHAT_IRC_TLS_PORT: "0", CHAT_TLS_CERT: cert, CHAT_TLS_KEY: key },
      { command: daemonCommand(runtime) },
    );
    const web = await TestClient.connect(`wss://127.0.0.1:${p.port}/ws`, { rejectUnauthorized: false });
    world.onCleanup(() => web.ws.close());
    expect((await web.request({ type: "hello", user: "webby", password: "correct-horse" }, "welcome", "error")).type).toBe("welcome");
    await web.request({ type: "join", room: "general" }, "joined");
    const irc = await ircSignIn(ircPortOf(p.output()), "ircy", { caps: ["echo-message"] });
    world.onCleanup(() => irc.close());
    irc.send("JOIN #general");
    await irc.next("366");
    irc.send("PRIVMSG #general :over tcp");
    await irc.next("PRIVMSG");
    expect((await web.next("message")).text).toBe("over tcp");

    const secure = await ircSignIn(ircPortOf(p.output(), "tlsPort"), "secure", { tls: true, caps: ["draft/chathistory"] });
    world.onCleanup(() => secure.close());
    secure.send("JOIN #general");
    await secure.next("366");
    web.send({ type: "say", room: "general", text: "to both", ref: 1 });
    expect((await irc.next("PRIVMSG")).params[1]).toBe("to both");
    expect((await secure.next("PRIVMSG")).params[1]).toBe("to both");
  });
});

describe("the IRC gateway in a cluster", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("an IRC user on node A and a web user on node B share a room and direct messages", async () => {
    const cluster = await startCluster(2, { CHAT_IRC_PORT: "0" });
    world.onCleanup(() => cluster.close());
    const [a, b] = cluster.nodes;
    const irc = await ircSignIn(ircPortOf(a!.output()), "ircy", { caps: ["echo-message", "message-tags"] });
    world.onCleanup(() => irc.close());
    const { client: web } = await world.member(b!, "webby");
    irc.send("JOIN #general");
    const names = await irc.next("353");
    expect(names.params[3]!.split(" ").sort()).toEqual(["ircy", "webby"]);
    expect(await web.next("presence")).toMatchObject({ user: "ircy", event: "join" });
    irc.send("PRIVMSG #general :from node A");
    const echo = await irc.next("PRIVMSG");
    const msg = await web.next("message");
    expect(msg).toMatchObject({ from: "ircy", text: "from node A" });
    expect(echo.tags.get("msgid")).toBe(msg.id);
    // The echo came once: the own copy from the cluster's feed is not shown again.
    web.send({ type: "say", room: "general", text: "from node B", ref: 1 });
    const next = await irc.next("PRIVMSG");
    expect(next.params[1]).toBe("from node B");
    web.send({ type: "dm", to: "ircy", text: "dm across nodes", ref: 2 });
    expect((await irc.next("PRIVMSG")).params).toEqual(["ircy", "dm across nodes"]);
  });
});

describe("the IRC port", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("already in use stops the start with exit code 1, naming CHAT_IRC_PORT", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    world.onCleanup(() => taken.close());
    const port = (taken.address() as AddressInfo).port;
    const dir = await world.tempDir();
    const p = await world.spawn({ CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_DATA_DIR: dir, CHAT_IRC_PORT: String(port) }, { waitListening: false });
    expect((await p.exited).code).toBe(1);
    expect(p.output()).toContain(`port ${port} is already in use on 127.0.0.1; choose another with CHAT_IRC_PORT`);
  });
});
