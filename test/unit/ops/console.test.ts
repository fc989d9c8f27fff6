import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CONSOLE_HELP, formatDuration, runConsoleCommand } from "../../../src/ops/console.ts";
import { startDaemon, type TestDaemon } from "../../helpers/daemon.ts";
import { signIn, type TestClient } from "../../helpers/client.ts";

describe("runConsoleCommand", () => {
  describe("on a running daemon", () => {
    let d: TestDaemon;
    const clients: TestClient[] = [];
    const run = (line: string) => runConsoleCommand(d.daemon, line);

    beforeAll(async () => {
      d = await startDaemon({ motd: "Be kind.", rooms: ["general", "Random"] });
    });
    afterAll(async () => {
      await d?.close();
    });
    afterEach(async () => {
      for (const c of clients.splice(0)) await c.close();
      // Let the server see the disconnects before the next test counts users.
      for (let i = 0; i < 100 && (d.daemon.chat?.hub.sessions.size ?? 0) > 0; i++) await new Promise((r) => setTimeout(r, 10));
    });

    async function connect(user: string): Promise<TestClient> {
      const { client } = await signIn(d.wsUrl, user);
      clients.push(client);
      return client;
    }

    it("answers help with the command list", async () => {
      const answer = await run("help");
      expect(answer).toBe(CONSOLE_HELP);
      for (const command of ["help", "uptime", "users", "rooms", "log", "kick", "say", "motd", "restart", "stop"]) {
        expect(answer).toMatch(new RegExp(`^  ${command}\\b`, "m"));
      }
    });

    it("answers ? and HELP like help", async () => {
      expect(await run("?")).toBe(CONSOLE_HELP);
      expect(await run("  HELP  ")).toBe(CONSOLE_HELP);
    });

    it("answers an empty line with nothing", async () => {
      expect(await run("")).toBe("");
      expect(await run("   ")).toBe("");
    });

    it("answers uptime with the state, uptime, connections and restarts", async () => {
      expect(await run("uptime")).toMatch(
        /^running, up (\d+[dhm] )*\d+s \(since \d{4}-\d\d-\d\dT[\d:.]+Z\), 0 connections, 0 users online, 0 restarts$/,
      );
    });

    it("counts connections and users online in uptime", async () => {
      await connect("upti");
      expect(await run("uptime")).toContain("1 connections, 1 users online");
    });

    it("answers users with who is online and how many are registered", async () => {
      const registered = await d.daemon.chat!.accounts.store.count();
      expect(await run("users")).toBe(`0 online, ${registered} registered`);
      const alice = await connect("Alice");
      await alice.request({ type: "join", room: "general" }, "joined");
      await connect("Alice");
      const answer = await run("users");
      const lines = answer.split("\n");
      expect(lines[0]).toBe(`1 online, ${registered + 1} registered`);
      expect(lines[1]).toMatch(/^  Alice  2 session\(s\)  rooms: general  from \S+$/);
      expect(lines).toHaveLength(2);
    });

    it("answers rooms with every room and its members", async () => {
      const bob = await connect("bob");
      await bob.request({ type: "join", room: "general" }, "joined");
      const answer = await run("rooms");
      const lines = answer.split("\n");
      expect(lines).toContain("  general  1 member(s): bob");
      expect(lines).toContain("  random  0 member(s)");
    });

    it("answers nodes with this node alone in embedded mode", async () => {
      expect(await run("nodes")).toMatch(/^  local \(this node\)  up \S+ \(since \S+\)$/);
    });

    it("answers log with the stored messages, oldest first", async () => {
      const carol = await connect("carol");
      await carol.request({ type: "join", room: "general" }, "joined");
      for (const text of ["first", "second", "third"]) {
        await carol.request({ type: "say", room: "general", text }, "ack");
      }
      const lines = (await run("log")).split("\n");
      const mine = lines.filter((l) => l.includes("<carol>"));
      expect(mine).toHaveLength(3);
      expect(mine[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z #general <carol> first$/);
      expect(mine.map((l) => l.split("> ")[1])).toEqual(["first", "second", "third"]);
    });

    it("answers log 5 with at most the last 5 messages", async () => {
      const dan = await connect("dan");
      await dan.request({ type: "join", room: "general" }, "joined");
      for (let i = 1; i <= 7; i++) await dan.request({ type: "say", room: "general", text: `n${i}` }, "ack");
      const lines = (await run("log 5")).split("\n");
      expect(lines).toHaveLength(5);
      expect(lines.map((l) => l.split("> ")[1])).toEqual(["n3", "n4", "n5", "n6", "n7"]);
      expect((await run("log 1")).split("\n")).toHaveLength(1);
    });

    it.each(["0", "-1", "1001", "abc", "2.5"])("answers log %s with the usage", async (n) => {
      expect(await run(`log ${n}`)).toBe("usage: log [n]  (1 to 1000)");
    });

    it("answers kick of an unknown user", async () => {
      expect(await run("kick nobody")).toBe("nobody is not online");
    });

    it("answers kick of an invalid name with the naming rule, without throwing (as POST /admin/kick's 400)", async () => {
      expect(await run("kick ../x")).toBe("error: user name may hold only letters, digits, '_' and '-', starting with a letter or digit");
    });

    it("answers kick without a name with the usage", async () => {
      expect(await run("kick")).toBe("usage: kick <user>");
    });

    it("kicks every session of an online user, any spelling, named as the account spells it", async () => {
      const one = await connect("Erin");
      const two = await connect("Erin");
      expect(await run("kick eRIN")).toBe("kicked Erin (2 session(s))");
      for (const c of [one, two]) {
        expect(await c.next("notice")).toMatchObject({ kind: "kick" });
        expect(await c.closed).toMatchObject({ code: 4000 });
      }
    });

    it("answers say by sending a broadcast notice to everyone, and tells how many received it", async () => {
      const frank = await connect("frank");
      expect(await run("say maintenance at 22:00")).toBe("notice sent to 1 signed-in connection");
      expect(await frank.next("notice")).toMatchObject({ type: "notice", kind: "broadcast", text: "maintenance at 22:00" });
      const again = await connect("frank");
      expect(await run("say twice")).toBe("notice sent to 2 signed-in connections");
      expect(await again.next("notice")).toMatchObject({ kind: "broadcast", text: "twice" });
    });

    it("counts no one for say when no one is signed in", async () => {
      expect(await run("say anyone?")).toBe("notice sent to 0 signed-in connections");
    });

    it("answers log with every line of a multi-line message prefixed, and control characters shown escaped", async () => {
      const hal = await connect("hal");
      await hal.request({ type: "join", room: "general" }, "joined");
      await hal.request({ type: "say", room: "general", text: "line one\nline two\r\nline three" }, "ack");
      await hal.request({ type: "say", room: "general", text: "red\x1b[31m\u009b\x07 tab\there" }, "ack");
      const lines = (await run("log 2")).split("\n");
      expect(lines).toHaveLength(4);
      expect(lines.slice(0, 3).map((l) => l.replace(/^\S+ /, ""))).toEqual(["#general <hal> line one", "#general <hal> line two", "#general <hal> line three"]);
      expect(lines[0]!.split(" ")[0]).toBe(lines[2]!.split(" ")[0]);
      expect(lines[3]).toMatch(/ #general <hal> red\\x1b\[31m\\x9b\\x07 tab\there$/);
    });

    it("answers say without text with the usage", async () => {
      expect(await run("say")).toBe("usage: say <text>");
      expect(await run("say    ")).toBe("usage: say <text>");
      // Invisible characters only are as blank as spaces (as a message's text, and POST /admin/broadcast).
      expect(await run("say \u200b\u2060")).toBe("usage: say <text>");
    });

    it("answers motd with the message of the day and sets a new one", async () => {
      expect(await run("motd")).toBe("motd: Be kind.");
      const gina = await connect("gina");
      expect(await run("motd Maintenance tonight")).toBe("motd set: Maintenance tonight");
      expect(await run("motd")).toBe("motd: Maintenance tonight");
      expect(await gina.next("notice")).toMatchObject({ kind: "motd", text: "Maintenance tonight" });
      // New sign-ins get the new one.
      const { client: hank, welcome } = await signIn(d.wsUrl, "hank");
      clients.push(hank);
      expect(welcome.motd).toBe("Maintenance tonight");
      await run("motd Be kind.");
    });

    it("refuses say over 4000 characters, as POST /admin/broadcast does, and sends nothing; an emoji counts 1", async () => {
      const ivy = await connect("ivy");
      expect(await run(`say ${"t".repeat(4001)}`)).toBe("error: text is longer than 4000 characters");
      expect(await run(`say ${"😀".repeat(4000)}`)).toBe("notice sent to 1 signed-in connection");
      // The first notice ivy gets is the one that was sent: the refused one never went out.
      expect(await ivy.next("notice")).toMatchObject({ kind: "broadcast", text: "😀".repeat(4000) });
    });

    it("refuses motd over 2000 characters, as PUT /admin/motd does, and keeps the one set; an emoji counts 1", async () => {
      expect(await run(`motd ${"m".repeat(2001)}`)).toBe("error: motd is longer than 2000 characters");
      expect(await run("motd")).toBe("motd: Be kind.");
      expect(await run(`motd ${"😀".repeat(2000)}`)).toBe(`motd set: ${"😀".repeat(2000)}`);
      await run("motd Be kind.");
    });

    it("answers an unknown command", async () => {
      expect(await run("frobnicate now")).toBe("unknown command: frobnicate (try help)");
    });
  });

  describe("lifecycle commands", () => {
    let d: TestDaemon | undefined;
    afterEach(async () => {
      await d?.close();
      d = undefined;
    });

    it("answers restart, and the daemon comes back running with one restart", async () => {
      d = await startDaemon();
      const port = d.port;
      expect(await runConsoleCommand(d.daemon, "restart")).toBe("restarting");
      expect(await d.daemon.settled()).toBe("running");
      expect(d.port).toBe(port);
      expect(await runConsoleCommand(d.daemon, "uptime")).toMatch(/^running, .* 1 restarts$/);
    });

    it("answers stop, and the daemon stops", async () => {
      d = await startDaemon();
      expect(await runConsoleCommand(d.daemon, "stop")).toBe("stopping");
      expect(await d.daemon.settled()).toBe("stopped");
    });

    it("answers stop, restart and chat commands on a stopped daemon without throwing", async () => {
      d = await startDaemon();
      await d.daemon.stop();
      expect(await runConsoleCommand(d.daemon, "stop")).toBe("cannot stop: server is stopped");
      expect(await runConsoleCommand(d.daemon, "quit")).toBe("cannot stop: server is stopped");
      expect(await runConsoleCommand(d.daemon, "restart")).toBe("cannot restart: server is stopped");
      expect(await runConsoleCommand(d.daemon, "users")).toBe("error: server is stopped");
      expect(await runConsoleCommand(d.daemon, "rooms")).toBe("error: server is stopped");
      expect(await runConsoleCommand(d.daemon, "log")).toBe("error: server is stopped");
      expect(await runConsoleCommand(d.daemon, "say hi")).toBe("error: server is stopped");
      expect(await runConsoleCommand(d.daemon, "uptime")).toBe(
        "stopped, up 0s (since -), 0 connections, 0 users online, 0 restarts",
      );
      expect(await runConsoleCommand(d.daemon, "help")).toBe(CONSOLE_HELP);
    });

    it("answers restart while stopping that it cannot", async () => {
      d = await startDaemon();
      const { client } = await signIn(d.wsUrl, "ivan");
      expect(await runConsoleCommand(d.daemon, "stop")).toBe("stopping");
      expect(await runConsoleCommand(d.daemon, "restart")).toBe("cannot restart: server is stopping");
      expect(await runConsoleCommand(d.daemon, "stop")).toBe("cannot stop: server is stopping");
      expect(await d.daemon.settled()).toBe("stopped");
      expect((await client.closed).code).toBe(1001);
    });

    it("answers log with an empty chat log", async () => {
      d = await startDaemon();
      expect(await runConsoleCommand(d.daemon, "log")).toBe("the chat log is empty");
      expect(await runConsoleCommand(d.daemon, "rooms")).toBe("  general  0 member(s)");
    });
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [59, "59s"],
    [60, "1m 0s"],
    [3600, "1h 0m 0s"],
    [3661, "1h 1m 1s"],
    [86400, "1d 0h 0m 0s"],
    [90061, "1d 1h 1m 1s"],
  ])("formats %i seconds as %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
